package io.backpropstreams.topology;

import io.backpropstreams.nn.NetworkSpec;

/**
 * Checks a decoded sample (or a predict request's input) against the model it names before the
 * core sees it, so that a bad record is dead-lettered with a precise reason and never reaches the
 * parameters.
 */
final class SampleValidator {

    private SampleValidator() {
    }

    /** A message naming the numbers, or null if the sample fits the model. */
    static String problem(String modelId, NetworkSpec spec, double[] input, double[] target) {
        if (input.length == 0 || target.length == 0) {
            return "sample has an empty " + (input.length == 0 ? "input" : "target") + " vector";
        }
        if (input.length != spec.inputSize()) {
            return "input has " + input.length + " values, model '" + modelId + "' expects " + spec.inputSize();
        }
        if (target.length != spec.outputSize()) {
            return "target has " + target.length + " values, model '" + modelId + "' expects " + spec.outputSize();
        }
        String bad = firstNonFinite(input, "input");
        return bad != null ? bad : firstNonFinite(target, "target");
    }

    /** The reason code for the problem {@link #problem} found. */
    static String reason(NetworkSpec spec, double[] input, double[] target) {
        if (input.length == 0 || target.length == 0) {
            return "empty-vector";
        }
        if (input.length != spec.inputSize()) {
            return "wrong-input-length";
        }
        if (target.length != spec.outputSize()) {
            return "wrong-target-length";
        }
        return "non-finite-value";
    }

    /** A message naming the numbers, or null if a predict request's {@code input} fits the model. */
    static String inputProblem(String modelId, NetworkSpec spec, double[] input) {
        if (input.length == 0) {
            return "predict request has an empty input vector";
        }
        if (input.length != spec.inputSize()) {
            return "input has " + input.length + " values, model '" + modelId + "' expects " + spec.inputSize();
        }
        return firstNonFinite(input, "input");
    }

    /** The reason code for the problem {@link #inputProblem} found: the samples' codes for the same faults. */
    static String inputReason(NetworkSpec spec, double[] input) {
        if (input.length == 0) {
            return "empty-vector";
        }
        return input.length != spec.inputSize() ? "wrong-input-length" : "non-finite-value";
    }

    private static String firstNonFinite(double[] v, String what) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                return what + "[" + i + "] is " + v[i] + "; values must be finite";
            }
        }
        return null;
    }
}
