package io.backpropstreams.avro;

import io.backpropstreams.schema.DriftSpec;

import java.util.Locale;

/**
 * Reads a spec's {@code drift} field: which detector watches the model's prequential loss, with
 * which parameters, and what a detection does to the model.
 */
public final class DriftSpecs {

    /** What a detection does besides the record on the drift topic. */
    public enum OnDrift {
        /** Nothing: the record only. */
        NONE,
        /** Zero the optimizer's state and restart its schedule (see {@code Network.resetOptimizer}). */
        RESET_OPTIMIZER,
        /** Start the parameters over from the spec's initialisation, with a fresh optimizer. */
        REINITIALIZE;

        /** Name in specs: {@code none}, {@code reset-optimizer}, {@code reinitialize}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@link #id()}, case-insensitively. */
        public static OnDrift parse(String name) {
            for (OnDrift o : values()) {
                if (o.id().equalsIgnoreCase(name.trim())) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown onDrift '" + name + "', expected none, reset-optimizer or reinitialize");
        }
    }

    private DriftSpecs() {
    }

    /**
     * Checks the detector name, its parameters and {@code onDrift}.
     *
     * @throws IllegalArgumentException naming the offending value
     */
    public static void validate(DriftSpec spec) {
        OnDrift.parse(spec.getOnDrift());
        detectorSettings(spec);
    }

    /** The detector's settings: its defaults, overridden by the spec's parameters. */
    public static void detectorSettings(DriftSpec spec) {
        String d = spec.getDetector().toLowerCase(Locale.ROOT);
        if (!d.equals("page-hinkley") && !d.equals("adwin")) {
            throw new IllegalArgumentException("unknown drift detector '" + spec.getDetector() + "', expected page-hinkley or adwin");
        }
    }
}
