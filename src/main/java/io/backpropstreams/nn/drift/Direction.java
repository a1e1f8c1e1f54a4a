package io.backpropstreams.nn.drift;

import java.util.Locale;

/**
 * Which changes of the monitored mean a detector reports.
 *
 * <p>The trainer feeds the prequential loss, so {@link #INCREASE} (the default of both detectors)
 * reports exactly "the stream changed under the model": the loss went up. A falling loss is the
 * model learning, including re-learning after a change, and reporting it would double every
 * detection. {@link #BOTH} is the two-sided test of the literature.
 */
public enum Direction {
    /** Only a rise of the mean is a change. */
    INCREASE,
    /** Only a fall of the mean is a change. */
    DECREASE,
    /** A rise or a fall is a change. */
    BOTH;

    /** Lower-case name used in specs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a change of the mean by {@code difference} (recent minus older) is one to report.
     * Zero is never a change.
     */
    boolean reports(double difference) {
        return switch (this) {
            case INCREASE -> difference > 0.0;
            case DECREASE -> difference < 0.0;
            case BOTH -> difference != 0.0;
        };
    }

    /** Parses {@code increase|decrease|both}, case-insensitively. */
    public static Direction parse(String name) {
        for (Direction d : values()) {
            if (d.id().equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown drift direction '" + name + "', expected increase, decrease or both");
    }
}
