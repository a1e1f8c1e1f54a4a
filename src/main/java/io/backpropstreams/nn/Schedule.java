package io.backpropstreams.nn;

import java.util.Locale;

/**
 * A learning-rate schedule: the rate {@code η_t} of the update number {@code t = 0, 1, 2, …} since
 * the optimizer's state was last reset (for a model never reset, its step count before the step).
 * <ul>
 *   <li>{@code constant}: {@code η_t = η}.</li>
 *   <li>{@code inverse-time}: {@code η_t = η / (1 + decay·t/every)}.</li>
 *   <li>{@code exponential}: {@code η_t = η·decay^(t/every)}.</li>
 *   <li>{@code step}: {@code η_t = η·decay^⌊t/every⌋}.</li>
 * </ul>
 * Powers are taken with {@link StrictMath#pow}, so the rate has the same bits on every JVM.
 *
 * @param kind  which formula
 * @param decay {@code ≥ 0} for inverse-time; in {@code (0, 1]} for exponential and step; 0 for constant
 * @param every {@code ≥ 1}: the number of updates the decay is counted in
 */
public record Schedule(Kind kind, double decay, long every) {

    /** The schedule formulas. Constants are only ever appended (stored by ordinal). */
    public enum Kind {
        CONSTANT, INVERSE_TIME, EXPONENTIAL, STEP;

        /** Name in specs: {@code constant}, {@code inverse-time}, {@code exponential}, {@code step}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses a name as {@link #id()} gives it, case-insensitively. */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.id().equalsIgnoreCase(name.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown schedule kind '" + name + "', expected constant, inverse-time, exponential or step");
        }
    }

    /** The constant rate. */
    public static final Schedule CONSTANT = new Schedule(Kind.CONSTANT, 0.0, 1);

    /** Validates every field; the message names the offending value. */
    public Schedule {
        if (kind == null) {
            throw new IllegalArgumentException("schedule kind must be set");
        }
        if (every < 1) {
            throw new IllegalArgumentException("schedule 'every' must be at least 1, got " + every);
        }
        if (!Double.isFinite(decay)) {
            throw new IllegalArgumentException("schedule decay must be finite, got " + decay);
        }
        switch (kind) {
            case INVERSE_TIME -> {
                if (decay < 0) {
                    throw new IllegalArgumentException("inverse-time decay must be ≥ 0, got " + decay);
                }
            }
            case EXPONENTIAL, STEP -> {
                if (!(decay > 0 && decay <= 1)) {
                    throw new IllegalArgumentException(kind.id() + " decay must be in (0, 1], got " + decay);
                }
            }
            default -> {
            }
        }
    }

    /** {@code η_t} for base rate {@code eta} at update {@code t ≥ 0}. */
    public double rate(double eta, long t) {
        return switch (kind) {
            case CONSTANT -> eta;
            case INVERSE_TIME -> eta / (1.0 + decay * ((double) t / every));
            case EXPONENTIAL -> eta * StrictMath.pow(decay, (double) t / every);
            case STEP -> eta * StrictMath.pow(decay, (double) (t / every));
        };
    }
}
