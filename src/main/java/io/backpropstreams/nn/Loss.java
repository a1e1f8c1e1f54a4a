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
 * </ul>
 */
public enum Loss {
    SQUARED_ERROR("squared"),
    CROSS_ENTROPY("cross-entropy");

    private static final double CLAMP = 1e-15;

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    /** Name used in specs and on the command line. */
    public String id() {
        return id;
    }

    /** {@code E(o, t)} over the first {@code n} entries. */
    public double value(double[] output, double[] target, int n) {
        double e = 0.0;
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
     * Writes the output-layer delta {@code δ_j = ∂E/∂net_j} into {@code delta}.
     * Squared error: {@code (o−t)·f'(o)}. Cross-entropy (sigmoid only): {@code o−t}.
     */
    public void outputDelta(double[] output, double[] target, Activation activation, double[] delta, int n) {
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

    /** Parses {@code squared} (or {@code mse}) and {@code cross-entropy} (or {@code ce}). */
    public static Loss parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "squared", "squared-error", "mse", "sse":
                return SQUARED_ERROR;
            case "cross-entropy", "ce", "bce", "crossentropy":
                return CROSS_ENTROPY;
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "', expected squared or cross-entropy");
        }
    }
}
