package io.backpropstreams.nn;

import java.util.Locale;

/**
 * How a gradient {@code g} moves the parameters {@code p} with learning rate {@code η}.
 * <ul>
 *   <li>{@link #SGD}: {@code p ← p − η·g}.</li>
 *   <li>{@link #MOMENTUM}: {@code v ← μ·v − η·g; p ← p + v}, with the velocity {@code v} kept as
 *       optimizer state, one entry per parameter.</li>
 * </ul>
 */
public enum Optimizer {
    SGD,
    MOMENTUM;

    /** Lower-case name used in specs and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sgd|momentum}, case-insensitively. */
    public static Optimizer parse(String name) {
        for (Optimizer o : values()) {
            if (o.id().equalsIgnoreCase(name.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "', expected sgd or momentum");
    }
}
