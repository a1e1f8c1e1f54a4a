package io.backpropstreams.nn;

/**
 * Online standardisation of a model's inputs: a running mean and variance per input, by Welford's
 * algorithm, and {@code z_i = (x_i − mean_i) / σ_i} (0 while {@code σ_i = 0}, as River's
 * {@code StandardScaler} does).
 * <pre>
 *   n ← n + 1;  d = x − mean;  mean ← mean + d/n;  m2 ← m2 + d·(x − mean);  σ² = m2/n (population)
 * </pre>
 * A training step first folds its input into the statistics, then trains on the standardised
 * input; a prediction uses the statistics as they are. The statistics are part of the model's
 * state (snapshotted, restored, exactly-once). Not thread-safe.
 */
public final class InputStandardizer {

    private long count;
    private final double[] mean;
    private final double[] m2;
    private final double[] savedMean;
    private final double[] savedM2;

    /** Fresh statistics for {@code n} inputs. */
    public InputStandardizer(int n) {
        this(0L, new double[n], new double[n]);
    }

    /** Restores statistics; the arrays are copied. */
    public InputStandardizer(long count, double[] mean, double[] m2) {
        if (count < 0 || mean.length != m2.length) {
            throw new IllegalArgumentException("standardizer state: count " + count + ", " + mean.length + " means, " + m2.length + " sums of squares");
        }
        Initializers.requireFinite(mean, "input means");
        Initializers.requireFinite(m2, "input sums of squared deviations");
        this.count = count;
        this.mean = mean.clone();
        this.m2 = m2.clone();
        this.savedMean = new double[mean.length];
        this.savedM2 = new double[mean.length];
    }

    /**
     * Folds {@code x} into the statistics, keeping the previous ones for {@link #undo()}.
     *
     * @throws StepRejectedException if a mean or sum of squares would overflow (finite inputs near
     *         ±1e154 and beyond can); the statistics are then as they were
     */
    void learn(double[] x) {
        System.arraycopy(mean, 0, savedMean, 0, mean.length);
        System.arraycopy(m2, 0, savedM2, 0, m2.length);
        count++;
        for (int i = 0; i < mean.length; i++) {
            double d = x[i] - mean[i];
            mean[i] += d / count;
            m2[i] += d * (x[i] - mean[i]);
            if (!Double.isFinite(mean[i]) || !Double.isFinite(m2[i])) {
                undo();
                throw new StepRejectedException("input " + i + " = " + x[i] + " would make its running "
                        + "mean or variance non-finite (standardizeInputs)");
            }
        }
    }

    /** Restores the statistics as they were before the last {@link #learn}: the step was refused. */
    void undo() {
        count--;
        System.arraycopy(savedMean, 0, mean, 0, mean.length);
        System.arraycopy(savedM2, 0, m2, 0, m2.length);
    }

    /** Writes the standardised {@code x} into {@code z}. */
    void transform(double[] x, double[] z) {
        for (int i = 0; i < mean.length; i++) {
            double sd = count == 0 ? 0.0 : Math.sqrt(m2[i] / count);
            z[i] = sd > 0 ? (x[i] - mean[i]) / sd : 0.0;
        }
    }

    /** Number of inputs folded in. */
    public long count() {
        return count;
    }

    /** A copy of the running means. */
    public double[] mean() {
        return mean.clone();
    }

    /** A copy of the running sums of squared deviations (σ² = m2/n). */
    public double[] m2() {
        return m2.clone();
    }

    /** An independent copy. */
    public InputStandardizer copy() {
        return new InputStandardizer(count, mean, m2);
    }
}
