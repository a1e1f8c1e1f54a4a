package io.backpropstreams.nn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Initial parameter vectors in the layout of {@link ParameterLayout}.
 *
 * <ul>
 *   <li>Xavier (Glorot) uniform: {@code W ~ U(−a, a)}, {@code a = √(6/(n_in+n_out))}; biases 0.</li>
 *   <li>He normal: {@code W ~ N(0, 2/n_in)}; biases 0.</li>
 *   <li>Explicit: the caller's weights and biases, row-major per layer.</li>
 * </ul>
 * Random draws come only from generators seeded by the caller ({@link SplittableRandom} for
 * uniform draws, {@link java.util.Random#nextGaussian()} for normal ones), so a seed always gives
 * the same model.
 */
public final class Initializers {

    private Initializers() {
    }

    /** Xavier-uniform weights from {@code seed}, zero biases. */
    public static double[] xavier(NetworkSpec spec, long seed) {
        ParameterLayout layout = new ParameterLayout(spec.layers());
        double[] p = new double[layout.parameterCount()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 1; l <= layout.depth(); l++) {
            double a = Math.sqrt(6.0 / (layout.size(l - 1) + layout.size(l)));
            int off = layout.weightOffset(l);
            for (int k = 0; k < layout.weightCount(l); k++) {
                p[off + k] = random.nextDouble(-a, a);
            }
        }
        return p;
    }

    /** He-normal weights from {@code seed}, zero biases. */
    public static double[] he(NetworkSpec spec, long seed) {
        ParameterLayout layout = new ParameterLayout(spec.layers());
        double[] p = new double[layout.parameterCount()];
        java.util.Random gaussian = new java.util.Random(seed);
        for (int l = 1; l <= layout.depth(); l++) {
            double sd = Math.sqrt(2.0 / layout.size(l - 1));
            int off = layout.weightOffset(l);
            for (int k = 0; k < layout.weightCount(l); k++) {
                p[off + k] = sd * gaussian.nextGaussian();
            }
        }
        return p;
    }

    /**
     * Packs explicit weights and biases. {@code weights.get(l-1)} is layer l's matrix, row-major
     * ({@code n_l · n_{l−1}} values); {@code biases} may be null for all-zero biases.
     */
    public static double[] explicit(NetworkSpec spec, List<double[]> weights, List<double[]> biases) {
        ParameterLayout layout = new ParameterLayout(spec.layers());
        if (weights == null || weights.size() != layout.depth()) {
            throw new IllegalArgumentException("weights must give " + layout.depth() + " layers, got "
                    + (weights == null ? 0 : weights.size()));
        }
        if (biases != null && biases.size() != layout.depth()) {
            throw new IllegalArgumentException("biases must give " + layout.depth() + " layers, got " + biases.size());
        }
        double[] p = new double[layout.parameterCount()];
        for (int l = 1; l <= layout.depth(); l++) {
            double[] w = weights.get(l - 1);
            if (w == null || w.length != layout.weightCount(l)) {
                throw new IllegalArgumentException("layer " + l + " weights have " + (w == null ? 0 : w.length)
                        + " values, shape " + spec.layers() + " needs " + layout.size(l) + "×" + layout.size(l - 1)
                        + " = " + layout.weightCount(l));
            }
            requireFinite(w, "layer " + l + " weights");
            System.arraycopy(w, 0, p, layout.weightOffset(l), w.length);
            if (biases != null) {
                double[] b = biases.get(l - 1);
                if (b == null || b.length != layout.size(l)) {
                    throw new IllegalArgumentException("layer " + l + " biases have " + (b == null ? 0 : b.length)
                            + " values, shape " + spec.layers() + " needs " + layout.size(l));
                }
                requireFinite(b, "layer " + l + " biases");
                System.arraycopy(b, 0, p, layout.biasOffset(l), b.length);
            }
        }
        return p;
    }

    static void requireFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " has a non-finite value " + values[i] + " at index " + i);
            }
        }
    }
}
