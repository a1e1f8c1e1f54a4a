package io.backpropstreams.nn;

/**
 * A training step that was refused because it would have made the loss, a delta or a parameter
 * non-finite. The network is left exactly as it was before the step, step count included.
 */
public final class StepRejectedException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /** @param message says what would have become non-finite, with its numbers */
    public StepRejectedException(String message) {
        super(message);
    }
}
