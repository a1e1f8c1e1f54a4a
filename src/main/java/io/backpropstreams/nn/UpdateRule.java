package io.backpropstreams.nn;

import java.util.Locale;

/**
 * When the hidden-layer deltas are computed relative to the output-layer update.
 * <ul>
 *   <li>{@link #SIMULTANEOUS}: every delta uses the weights as they were before the step, so the
 *       update is the true gradient. This is how the lecture works its w1⁺..w8⁺ by hand.</li>
 *   <li>{@link #SEQUENTIAL}: layers are updated from the output backwards, and each hidden delta is
 *       computed from the already <em>updated</em> weights of the layer above. This is the first
 *       version of the lecture's reference code; it produces the lecture's "0.291027924" and its
 *       final outputs.</li>
 * </ul>
 */
public enum UpdateRule {
    SIMULTANEOUS,
    SEQUENTIAL;

    /** Lower-case name used in specs and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code simultaneous|sequential}, case-insensitively. */
    public static UpdateRule parse(String name) {
        for (UpdateRule r : values()) {
            if (r.id().equalsIgnoreCase(name.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown update rule '" + name + "', expected simultaneous or sequential");
    }
}
