package io.backpropstreams.nn.drift;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A model's drift detector and its parameters, as a spec gives them:
 * {@code "drift": {"detector": "page-hinkley", "threshold": 50}}.
 *
 * <p>One flat record for both detectors so that it maps onto one spec object. A parameter that does
 * not apply to the detector is 0 (and must be): equal settings are then equal records.
 * <ul>
 *   <li>{@code page-hinkley} ({@link PageHinkley}): {@code direction}, {@code minInstances},
 *       {@code delta} (the tolerated rise, in loss units), {@code threshold} (λ, in loss units ×
 *       samples), {@code alpha} (forgetting factor of the cumulative sum).</li>
 *   <li>{@code adwin} ({@link Adwin}): {@code direction}, {@code delta} (the confidence δ of the cut
 *       test), {@code clock}, {@code maxBuckets}, {@code minWindowLength}, {@code gracePeriod}.</li>
 * </ul>
 * ADWIN's defaults are River's; Page-Hinkley's are {@code δ = 0.05, λ = 30, α = 1} instead of
 * River's {@code 0.005, 50, 1 − 0.0001}, which raise a false alarm every few ten thousand samples
 * of a noisy per-sample loss ({@link PageHinkley} gives the reasons and the figures). Both report
 * rises of the loss only by default (direction {@code increase}): that is what "the stream changed
 * under the model" means.
 *
 * @param detector        {@code page-hinkley} or {@code adwin}
 * @param direction       which changes of the mean are reported
 * @param minInstances    Page-Hinkley: values after a reset before a detection may fire
 * @param delta           Page-Hinkley: the rise of the mean tolerated per value; ADWIN: the confidence δ
 * @param threshold       Page-Hinkley: λ, the bound on {@code m_T − M_T}
 * @param alpha           Page-Hinkley: forgetting factor of the cumulative sum, in (0, 1]
 * @param clock           ADWIN: the window is checked for a cut every this many values
 * @param maxBuckets      ADWIN: buckets of one size kept before the two oldest merge
 * @param minWindowLength ADWIN: the fewest values on either side of a cut
 * @param gracePeriod     ADWIN: no check until the window holds more values than this
 */
public record DriftSettings(String detector, Direction direction, int minInstances, double delta, double threshold,
                            double alpha, int clock, int maxBuckets, int minWindowLength, int gracePeriod) {

    /** Largest ADWIN {@code maxBuckets}: River uses 5; more only grows the state and the time per check. */
    public static final int MAX_BUCKETS = 10_000;
    /** Largest ADWIN {@code clock}, {@code minWindowLength} and {@code gracePeriod}. */
    public static final int MAX_COUNT = 1_000_000;
    /** Largest Page-Hinkley {@code delta} and {@code threshold}. */
    public static final double MAX_MAGNITUDE = 1e100;

    /** The detectors' names in specs. */
    public static final List<String> DETECTORS = List.of(PageHinkley.ID, Adwin.ID);

    private static final List<String> PAGE_HINKLEY_PARAMETERS = List.of("minInstances", "delta", "threshold", "alpha");
    private static final List<String> ADWIN_PARAMETERS = List.of("delta", "clock", "maxBuckets", "minWindowLength", "gracePeriod");

    public DriftSettings {
        if (detector == null || !DETECTORS.contains(detector)) {
            throw new IllegalArgumentException("unknown drift detector '" + detector + "', expected page-hinkley or adwin");
        }
        Objects.requireNonNull(direction, "drift direction");
        if (detector.equals(PageHinkley.ID)) {
            if (minInstances < 1) {
                throw new IllegalArgumentException("drift minInstances must be ≥ 1, got " + minInstances);
            }
            if (!(delta >= 0.0)) {
                throw new IllegalArgumentException("drift delta must be ≥ 0, got " + number(delta));
            }
            if (!(threshold > 0.0)) {
                throw new IllegalArgumentException("drift threshold must be > 0, got " + number(threshold));
            }
            if (delta > MAX_MAGNITUDE || threshold > MAX_MAGNITUDE) {
                // beyond this the cumulative sums overflow to infinity and the detector goes silently dead
                throw new IllegalArgumentException("drift delta and threshold must be at most 1e100, got " + number(delta)
                        + " and " + number(threshold));
            }
            if (!(alpha > 0.0 && alpha <= 1.0)) {
                throw new IllegalArgumentException("drift alpha must be in (0, 1], got " + number(alpha));
            }
            notApplicable(detector, "clock", clock);
            notApplicable(detector, "maxBuckets", maxBuckets);
            notApplicable(detector, "minWindowLength", minWindowLength);
            notApplicable(detector, "gracePeriod", gracePeriod);
        } else {
            if (!(delta > 0.0 && delta < 1.0)) {
                throw new IllegalArgumentException("drift delta must be in (0, 1) for adwin (a confidence), got " + number(delta));
            }
            if (clock < 1) {
                throw new IllegalArgumentException("drift clock must be ≥ 1, got " + clock);
            }
            if (clock > MAX_COUNT) {
                throw new IllegalArgumentException("drift clock must be at most " + MAX_COUNT + ", got " + clock);
            }
            // the detector's state (and so the model's record) grows with maxBuckets per row of the histogram
            if (maxBuckets < 1 || maxBuckets > MAX_BUCKETS) {
                throw new IllegalArgumentException("drift maxBuckets must be in [1, " + MAX_BUCKETS + "], got " + maxBuckets);
            }
            if (minWindowLength < 1 || minWindowLength > MAX_COUNT) {
                throw new IllegalArgumentException("drift minWindowLength must be in [1, " + MAX_COUNT + "], got " + minWindowLength);
            }
            if (gracePeriod < 0 || gracePeriod > MAX_COUNT) {
                throw new IllegalArgumentException("drift gracePeriod must be in [0, " + MAX_COUNT + "], got " + gracePeriod);
            }
            notApplicable(detector, "minInstances", minInstances);
            notApplicable(detector, "threshold", threshold);
            notApplicable(detector, "alpha", alpha);
        }
    }

    /**
     * The defaults of {@code detector} ({@code page-hinkley} or {@code adwin}, case-insensitive).
     *
     * @throws IllegalArgumentException for another name
     */
    public static DriftSettings defaults(String detector) {
        String id = detector == null ? null : detector.trim().toLowerCase(Locale.ROOT);
        if (PageHinkley.ID.equals(id)) {
            return new DriftSettings(PageHinkley.ID, Direction.INCREASE, PageHinkley.DEFAULT_MIN_INSTANCES,
                    PageHinkley.DEFAULT_DELTA, PageHinkley.DEFAULT_THRESHOLD, PageHinkley.DEFAULT_ALPHA, 0, 0, 0, 0);
        }
        if (Adwin.ID.equals(id)) {
            return new DriftSettings(Adwin.ID, Direction.INCREASE, 0, Adwin.DEFAULT_DELTA, 0.0, 0.0,
                    Adwin.DEFAULT_CLOCK, Adwin.DEFAULT_MAX_BUCKETS, Adwin.DEFAULT_MIN_WINDOW_LENGTH, Adwin.DEFAULT_GRACE_PERIOD);
        }
        throw new IllegalArgumentException("unknown drift detector '" + detector + "', expected page-hinkley or adwin");
    }

    /** These settings with another direction. */
    public DriftSettings withDirection(Direction d) {
        return new DriftSettings(detector, d, minInstances, delta, threshold, alpha, clock, maxBuckets, minWindowLength, gracePeriod);
    }

    /**
     * These settings with one numeric parameter replaced, by its spec name (see {@link #parameters()}):
     * what a spec parser calls for each field it finds.
     *
     * @throws IllegalArgumentException if the parameter does not apply to this detector, a whole
     *                                  number is expected and {@code value} is not one, or the value is out of range
     */
    public DriftSettings with(String parameter, double value) {
        List<String> names = parameterNames();
        if (!names.contains(parameter)) {
            throw new IllegalArgumentException("drift parameter '" + parameter + "' does not apply to " + detector
                    + "; expected one of direction, " + String.join(", ", names));
        }
        return switch (parameter) {
            case "minInstances" -> new DriftSettings(detector, direction, whole(parameter, value), delta, threshold, alpha,
                    clock, maxBuckets, minWindowLength, gracePeriod);
            case "delta" -> new DriftSettings(detector, direction, minInstances, value, threshold, alpha,
                    clock, maxBuckets, minWindowLength, gracePeriod);
            case "threshold" -> new DriftSettings(detector, direction, minInstances, delta, value, alpha,
                    clock, maxBuckets, minWindowLength, gracePeriod);
            case "alpha" -> new DriftSettings(detector, direction, minInstances, delta, threshold, value,
                    clock, maxBuckets, minWindowLength, gracePeriod);
            case "clock" -> new DriftSettings(detector, direction, minInstances, delta, threshold, alpha,
                    whole(parameter, value), maxBuckets, minWindowLength, gracePeriod);
            case "maxBuckets" -> new DriftSettings(detector, direction, minInstances, delta, threshold, alpha,
                    clock, whole(parameter, value), minWindowLength, gracePeriod);
            case "minWindowLength" -> new DriftSettings(detector, direction, minInstances, delta, threshold, alpha,
                    clock, maxBuckets, whole(parameter, value), gracePeriod);
            case "gracePeriod" -> new DriftSettings(detector, direction, minInstances, delta, threshold, alpha,
                    clock, maxBuckets, minWindowLength, whole(parameter, value));
            default -> throw new IllegalStateException(parameter);
        };
    }

    /** The numeric parameters that apply to this detector, by spec name, in a fixed order. */
    public Map<String, Double> parameters() {
        Map<String, Double> p = new LinkedHashMap<>();
        if (detector.equals(PageHinkley.ID)) {
            p.put("minInstances", (double) minInstances);
            p.put("delta", delta);
            p.put("threshold", threshold);
            p.put("alpha", alpha);
        } else {
            p.put("delta", delta);
            p.put("clock", (double) clock);
            p.put("maxBuckets", (double) maxBuckets);
            p.put("minWindowLength", (double) minWindowLength);
            p.put("gracePeriod", (double) gracePeriod);
        }
        return Collections.unmodifiableMap(p);
    }

    /** A fresh detector with these settings. */
    public DriftDetector newDetector() {
        return detector.equals(PageHinkley.ID) ? new PageHinkley(this) : new Adwin(this);
    }

    private List<String> parameterNames() {
        return detector.equals(PageHinkley.ID) ? PAGE_HINKLEY_PARAMETERS : ADWIN_PARAMETERS;
    }

    private static int whole(String parameter, double value) {
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException("drift " + parameter + " must be a whole number, got " + number(value));
        }
        if (Math.abs(value) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("drift " + parameter + " must be at most " + Integer.MAX_VALUE + ", got " + number(value));
        }
        return (int) value;
    }

    private static void notApplicable(String detector, String parameter, double value) {
        if (value != 0.0) {
            throw new IllegalArgumentException("drift parameter " + parameter + " does not apply to " + detector
                    + " and must be 0, got " + number(value));
        }
    }

    /** {@code -1} rather than {@code -1.0} in messages, so they read as the spec was written. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
