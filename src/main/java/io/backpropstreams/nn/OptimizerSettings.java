package io.backpropstreams.nn;

/**
 * The optimizer's constants beyond the learning rate and momentum.
 *
 * @param beta1       Adam's first-moment decay {@code β₁ ∈ [0,1)}
 * @param beta2       Adam's second-moment decay {@code β₂ ∈ [0,1)}; RMSprop's {@code ρ}
 * @param epsilon     {@code ε > 0} added to the root of the second moment (Adam, RMSprop, Adagrad)
 * @param weightDecay {@code λ ≥ 0}: decoupled ({@code p ← p − η·λ·p}) for adamw; otherwise L2,
 *                    {@code g ← g + λ·p}, added after clipping. Applies to every trained parameter.
 * @param clipNorm    {@code c ≥ 0}: when the gradient's global L2 norm {@code ‖g‖} over the trained
 *                    parameters exceeds {@code c}, {@code g ← g·c/‖g‖}; 0 turns clipping off
 */
public record OptimizerSettings(double beta1, double beta2, double epsilon, double weightDecay, double clipNorm) {

    /** Adam's published defaults, no weight decay, no clipping. */
    public static final OptimizerSettings DEFAULTS = new OptimizerSettings(0.9, 0.999, 1e-8, 0.0, 0.0);

    /** Validates every field; the message names the offending value. */
    public OptimizerSettings {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be a finite number ≥ 0, got " + weightDecay);
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be a finite number ≥ 0 (0: no clipping), got " + clipNorm);
        }
    }

    /**
     * The defaults of each optimizer's reference implementation: Adam and AdamW {@code β₁ 0.9,
     * β₂ 0.999, ε 1e-8}; RMSprop {@code ρ 0.99, ε 1e-8}; Adagrad {@code ε 1e-10}.
     */
    public static OptimizerSettings defaults(Optimizer optimizer) {
        return switch (optimizer) {
            case RMSPROP -> new OptimizerSettings(0.9, 0.99, 1e-8, 0.0, 0.0);
            case ADAGRAD -> new OptimizerSettings(0.9, 0.999, 1e-10, 0.0, 0.0);
            default -> DEFAULTS;
        };
    }

    /** True if a weight decay or gradient clipping is set. */
    boolean transformsGradient() {
        return weightDecay > 0 || clipNorm > 0;
    }
}
