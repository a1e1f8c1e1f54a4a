package io.backpropstreams.avro;

import io.backpropstreams.nn.drift.Direction;
import io.backpropstreams.nn.drift.DriftSettings;
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

    /** The detector's settings: its defaults, overridden by the spec's direction and parameters. */
    public static DriftSettings detectorSettings(DriftSpec spec) {
        DriftSettings settings = DriftSettings.defaults(spec.getDetector().trim().toLowerCase(Locale.ROOT));
        if (spec.getDirection() != null) {
            settings = settings.withDirection(Direction.parse(spec.getDirection()));
        }
        for (java.util.Map.Entry<String, Double> e : new java.util.TreeMap<>(spec.getSettings()).entrySet()) {
            settings = settings.with(e.getKey(), e.getValue());
        }
        return settings;
    }
}
