package io.backpropstreams.nn;

import java.util.Locale;

/**
 * Loss functions over the output vector {@code o} and the target {@code t}.
 * <ul>
 *   <li>{@link #SQUARED_ERROR}: the lecture's {@code E = ½·Σ(t−o)²}, with {@code ∂E/∂o = o − t}.</li>
 *   <li>{@link #CROSS_ENTROPY}: binary cross-entropy for sigmoid outputs,
 *       {@code E = −Σ[t·ln o + (1−t)·ln(1−o)]}. With a sigmoid output the output delta
 *       {@code ∂E/∂net} simplifies to {@code o − t}; the loss value clamps {@code o} to
 *       {@code [1e-15, 1−1e-15]} so that a saturated output reports a large finite loss.</li>
 *   <li>{@link #CATEGORICAL_CROSS_ENTROPY}: for a softmax output over classes,
 *       {@code E = −Σ t_j·ln o_j}, computed from the net inputs in the log-sum-exp form
 *       {@code ln o_j = z_j − lse(z)}, so that a confident wrong answer gives a large finite loss
 *       instead of {@code ln 0}. The output delta is {@code ∂E/∂z_j = o_j·Σ_k t_k − t_j}, which is
 *       {@code o − t} for a one-hot (or any normalised) target.</li>
 * </ul>
 * Constants are only ever appended: stored states name a loss by its ordinal.
 */
public enum Loss {
    SQUARED_ERROR("squared"),
    CROSS_ENTROPY("cross-entropy"),
    CATEGORICAL_CROSS_ENTROPY("categorical-cross-entropy");

    private static final double CLAMP = 1e-15;

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    /** Name used in specs and on the command line. */
    public String id() {
        return id;
    }

    /**
     * {@code E(o, t)} over the first {@code n} entries; for {@link #CATEGORICAL_CROSS_ENTROPY} use
     * {@link #categorical} (it needs the net inputs).
     */
    public double value(double[] output, double[] target, int n) {
        double e = 0.0;
        if (this == CATEGORICAL_CROSS_ENTROPY) {
            throw new UnsupportedOperationException("categorical cross-entropy is computed from the net inputs: Loss.categorical");
        }
        if (this == SQUARED_ERROR) {
            for (int j = 0; j < n; j++) {
                double d = target[j] - output[j];
                e += 0.5 * d * d;
            }
        } else {
            for (int j = 0; j < n; j++) {
                double o = Math.min(Math.max(output[j], CLAMP), 1.0 - CLAMP);
                e -= target[j] * Math.log(o) + (1.0 - target[j]) * Math.log(1.0 - o);
            }
        }
        return e;
    }

    /**
     * Categorical cross-entropy {@code E = −Σ t_j·(z_j − lse)} of a softmax layer with net inputs
     * {@code z} and log-sum-exp {@code lse} (as {@link Activation#softmax} returns it).
     */
    public static double categorical(double[] z, double lse, double[] target, int n) {
        double e = 0.0;
        for (int j = 0; j < n; j++) {
            if (target[j] != 0.0) {
                e -= target[j] * (z[j] - lse);
            }
        }
        return e;
    }

    /**
     * Writes the output-layer delta {@code δ_j = ∂E/∂net_j} into {@code delta}.
     * Squared error: {@code (o−t)·f'(o)}. Cross-entropy (sigmoid only): {@code o−t}. Categorical
     * cross-entropy (softmax only): {@code o_j·Σt − t_j}.
     */
    public void outputDelta(double[] output, double[] target, Activation activation, double[] delta, int n) {
        if (this == CATEGORICAL_CROSS_ENTROPY) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) {
                sum += target[j];
            }
            for (int j = 0; j < n; j++) {
                delta[j] = output[j] * sum - target[j];
            }
            return;
        }
        if (this == SQUARED_ERROR) {
            for (int j = 0; j < n; j++) {
                delta[j] = (output[j] - target[j]) * activation.derivativeFromOutput(output[j]);
            }
        } else {
            for (int j = 0; j < n; j++) {
                delta[j] = output[j] - target[j];
            }
        }
    }

    /** Parses {@code squared} (or {@code mse}), {@code cross-entropy} (or {@code ce}) and {@code categorical-cross-entropy} (or {@code cce}). */
    public static Loss parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "squared", "squared-error", "mse", "sse":
                return SQUARED_ERROR;
            case "cross-entropy", "ce", "bce", "crossentropy", "binary-cross-entropy":
                return CROSS_ENTROPY;
            case "categorical-cross-entropy", "cce", "categorical-crossentropy":
                return CATEGORICAL_CROSS_ENTROPY;
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "', expected squared, cross-entropy or categorical-cross-entropy");
        }
    }
}
