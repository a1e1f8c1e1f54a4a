package io.backpropstreams.nn;

import java.util.Locale;

/**
 * How a gradient {@code g} moves the parameters {@code p} with learning rate {@code η} (after the
 * learning-rate {@link Schedule}, gradient clipping and weight decay of {@link OptimizerSettings}).
 * All state vectors have one entry per parameter and start at zero; {@code t} counts the updates
 * since they were zeroed, from 1.
 * <ul>
 *   <li>{@link #SGD}: {@code p ← p − η·g}.</li>
 *   <li>{@link #MOMENTUM}: {@code v ← μ·v − η·g; p ← p + v}.</li>
 *   <li>{@link #NESTEROV}: Sutskever's form, {@code v ← μ·v − η·g; p ← p + μ·v − η·g}.</li>
 *   <li>{@link #ADAM} (Kingma &amp; Ba): {@code m ← β₁·m + (1−β₁)·g; s ← β₂·s + (1−β₂)·g²;
 *       p ← p − η·(m/(1−β₁ᵗ)) / (√(s/(1−β₂ᵗ)) + ε)}.</li>
 *   <li>{@link #ADAMW} (Loshchilov &amp; Hutter): {@code p ← p − η·λ·p} (decoupled weight decay), then
 *       the Adam update.</li>
 *   <li>{@link #RMSPROP} (Hinton): {@code s ← ρ·s + (1−ρ)·g²; p ← p − η·g/(√s + ε)}, with
 *       {@code ρ = β₂}.</li>
 *   <li>{@link #ADAGRAD} (Duchi et al.): {@code s ← s + g²; p ← p − η·g/(√s + ε)}.</li>
 * </ul>
 * Constants are only ever appended: stored states name an optimizer by its ordinal.
 */
public enum Optimizer {
    SGD(0),
    MOMENTUM(1),
    NESTEROV(1),
    ADAM(2),
    ADAMW(2),
    RMSPROP(1),
    ADAGRAD(1);

    private final int stateVectors;

    Optimizer(int stateVectors) {
        this.stateVectors = stateVectors;
    }

    /** Number of per-parameter state vectors the optimizer keeps (momentum's velocity, Adam's two moments, …). */
    public int stateVectors() {
        return stateVectors;
    }

    /** True for the optimizers that read {@code momentum} (μ). */
    public boolean usesMomentum() {
        return this == MOMENTUM || this == NESTEROV;
    }

    /** Lower-case name used in specs and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sgd|momentum|nesterov|adam|adamw|rmsprop|adagrad}, case-insensitively. */
    public static Optimizer parse(String name) {
        for (Optimizer o : values()) {
            if (o.id().equalsIgnoreCase(name.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name
                + "', expected one of sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad");
    }
}
