package io.backpropstreams.nn;

/**
 * Whether a sample is a classification sample, and whether the network classified it correctly:
 * the test half of prequential (test-then-train) accuracy.
 *
 * <p>A target is a class label when it is one-hot: at least two entries, exactly one of them
 * {@code 1.0} and every other {@code 0.0} (compared exactly; a soft target such as the lecture's
 * {@code [0.01, 0.99]} is a regression target and is not scored). The predicted class is
 * {@code argmax(output)}, the first index on ties, so that a network whose outputs are all equal
 * predicts class 0 rather than every class at once. The sample counts as correct when the
 * predicted class is the target's.
 *
 * <p>Allocation-free and branch-light: it runs once per trained sample on the stream thread.
 */
public final class Classification {

    /** What {@link #targetClass} returns for a target that is not one-hot. */
    public static final int NOT_ONE_HOT = -1;

    private Classification() {
    }

    /**
     * The index of the one {@code 1.0} of a one-hot {@code target}, or {@link #NOT_ONE_HOT} if the
     * target has fewer than two entries, any entry other than {@code 0.0} and {@code 1.0}, or not
     * exactly one {@code 1.0}.
     */
    public static int targetClass(double[] target) {
        if (target.length < 2) {
            return NOT_ONE_HOT;
        }
        int hot = NOT_ONE_HOT;
        for (int j = 0; j < target.length; j++) {
            double t = target[j];
            if (t == 1.0) {
                if (hot != NOT_ONE_HOT) {
                    return NOT_ONE_HOT;
                }
                hot = j;
            } else if (t != 0.0) {
                return NOT_ONE_HOT;
            }
        }
        return hot;
    }

    /**
     * The index of the largest of {@code values}, the first one on ties; NaN entries never win
     * (and the index is 0 if every entry is NaN).
     *
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static int argmax(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("argmax of an empty vector");
        }
        int best = 0;
        double max = values[0];
        for (int j = 1; j < values.length; j++) {
            // strictly greater keeps the first index on ties; a NaN max (values[0] is NaN) is replaced by any number
            if (values[j] > max || (Double.isNaN(max) && !Double.isNaN(values[j]))) {
                max = values[j];
                best = j;
            }
        }
        return best;
    }

    /**
     * The prequential verdict on one sample: {@code null} if {@code target} is not one-hot, else
     * whether {@code argmax(output)} is the target's class. {@code output} holds the outputs of
     * the forward pass before the update. The boxed results are {@link Boolean#TRUE} and
     * {@link Boolean#FALSE}, never new objects.
     *
     * @throws IllegalArgumentException if the target is one-hot and the two lengths differ
     */
    public static Boolean correct(double[] output, double[] target) {
        int cls = targetClass(target);
        if (cls == NOT_ONE_HOT) {
            return null;
        }
        if (output.length != target.length) {
            throw new IllegalArgumentException("output has " + output.length + " values, the target " + target.length);
        }
        return argmax(output) == cls ? Boolean.TRUE : Boolean.FALSE;
    }
}
