package io.backpropstreams.nn.drift;

import java.nio.ByteBuffer;

/**
 * The Page-Hinkley test (Page 1954, as River's {@code drift.PageHinkley} computes it): a cumulative
 * sum of the values' deviations from their running mean, reported when it climbs further than
 * {@code λ} above its lowest point.
 *
 * <p>Over the values {@code x_1 … x_T} fed since the last reset, with the running mean
 * {@code x̄_T = (1/T)·Σ x_t} (including {@code x_T}):
 * <pre>
 *   m_T = α·m_{T−1} + (x_T − x̄_T − δ),   m_0 = 0          M_T = min_{1≤t≤T} m_t
 *   a change is detected at T when  T ≥ minInstances  and  m_T − M_T &gt; λ
 * </pre>
 * While the mean holds, each term has expectation {@code −δ}, so {@code m_T} drifts down and
 * {@code m_T − M_T} keeps returning to 0; after the mean rises by {@code Δ &gt; δ}, {@code m_T} climbs by
 * about {@code Δ − δ} per value (the running mean of a long stable run hardly moves), so the delay
 * is about {@code λ / (Δ − δ)} values. The {@link Direction#DECREASE decrease} test is the mirror
 * image ({@code m'_T = α·m'_{T−1} + (x_T − x̄_T + δ)}, reported when {@code max m' − m'_T &gt; λ});
 * {@link Direction#BOTH both} runs the two. {@link #statistic()} is {@code m_T − M_T} (the larger
 * of the two tests for {@code both}).
 *
 * <p><b>Defaults</b>, chosen for per-sample losses, not River's: {@code δ = 0.05}, {@code λ = 30},
 * {@code α = 1}, direction {@code increase} (see {@link Direction}); {@code minInstances} is
 * River's 30. For a stable stream with per-value standard deviation {@code σ}, Page's CUSUM has a
 * mean run between false alarms of about {@code (σ²/2δ²)·(exp(2δλ/σ²) − 1 − 2δλ/σ²)}: the product
 * {@code δλ} against {@code σ²} is what matters. A per-sample log-loss of a classifier with noisy
 * labels has {@code σ ≈ 0.5}; with River's {@code δ = 0.005, λ = 50} ({@code 2δλ/σ² ≈ 2}) that is
 * a false alarm every 10,000 to 20,000 samples (measured: 70–100 per million on the stable part of
 * the logistic-regression streams of {@code DriftAcceptanceTest} run for a million samples), whereas
 * {@code δ = 0.05, λ = 30} ({@code 2δλ/σ² ≈ 12}) gives 0–3 per million. The smaller {@code λ} matters too: an online learner re-learns after a concept
 * change, so its loss only rises for a few hundred samples, and the test must collect {@code λ}
 * from that bump; the delay is about {@code λ / (Δ − δ)} for a rise {@code Δ} of the mean loss.
 * Rises smaller than {@code δ} are never reported: for a loss on another scale (a squared error
 * of 0.001, say), scale {@code δ} and {@code λ} with it.
 *
 * <p>River's forgetting factor {@code α = 1 − 0.0001} is replaced by 1 (none), because on a long
 * stable stream it defeats {@code δ}: {@code m_T} settles where its expected step
 * {@code −δ − (1−α)·m_T} is zero, at {@code −δ/(1−α)}, after about {@code 1/(1−α) = 10,000} values;
 * from then on {@code m_T} is a mean-reverting walk with standard deviation
 * {@code σ/√(2(1−α)) ≈ 70σ}, while {@code M_T} keeps its lowest excursion, and {@code m_T − M_T}
 * crosses {@code λ} again and again (measured with the other defaults above: 17–74 false alarms
 * per million stable samples with {@code α = 1 − 0.0001}, 0–3 with {@code α = 1}).
 *
 * <p>O(1) per update and no allocation: a handful of doubles.
 *
 * <p>Encoding after the tag {@code 'P'} and version 1: {@code direction:u8 minInstances:i32
 * delta:f64 threshold:f64 alpha:f64 seen:i64 count:i64 mean:f64 sumUp:f64 minUp:f64 sumDown:f64
 * maxDown:f64 statistic:f64}.
 */
public final class PageHinkley implements DriftDetector {

    /** The detector's name in specs. */
    public static final String ID = "page-hinkley";
    static final int DEFAULT_MIN_INSTANCES = 30;
    static final double DEFAULT_DELTA = 0.05;
    static final double DEFAULT_THRESHOLD = 30.0;
    static final double DEFAULT_ALPHA = 1.0;

    static final byte TAG = 'P';
    static final byte VERSION = 1;
    private static final int ENCODED_SIZE = 2 + 1 + 4 + 3 * 8 + 2 * 8 + 6 * 8;

    private final DriftSettings settings;
    private final Direction direction;
    private final int minInstances;
    private final double delta;
    private final double threshold;
    private final double alpha;

    private long seen;
    /** Values since the last reset: the {@code T} of the class comment. */
    private long count;
    private double mean;
    private double sumUp;
    private double minUp;
    private double sumDown;
    private double maxDown;
    private double statistic;

    /** A fresh detector; {@code settings} must name {@code page-hinkley}. */
    public PageHinkley(DriftSettings settings) {
        if (!settings.detector().equals(ID)) {
            throw new IllegalArgumentException("settings are for " + settings.detector() + ", not " + ID);
        }
        this.settings = settings;
        this.direction = settings.direction();
        this.minInstances = settings.minInstances();
        this.delta = settings.delta();
        this.threshold = settings.threshold();
        this.alpha = settings.alpha();
        reset();
    }

    /** A fresh detector with the {@link DriftSettings#defaults defaults}. */
    public PageHinkley() {
        this(DriftSettings.defaults(ID));
    }

    private PageHinkley(PageHinkley other) {
        this(other.settings);
        seen = other.seen;
        count = other.count;
        mean = other.mean;
        sumUp = other.sumUp;
        minUp = other.minUp;
        sumDown = other.sumDown;
        maxDown = other.maxDown;
        statistic = other.statistic;
    }

    private void reset() {
        count = 0;
        mean = 0.0;
        sumUp = 0.0;
        // ±∞ so that the first sum is the first extreme, as in River
        minUp = Double.POSITIVE_INFINITY;
        sumDown = 0.0;
        maxDown = Double.NEGATIVE_INFINITY;
    }

    @Override
    public boolean update(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("drift detector " + ID + " was fed a non-finite value " + value + " after " + seen + " values");
        }
        seen++;
        count++;
        mean += (value - mean) / count;
        double deviation = value - mean;
        sumUp = alpha * sumUp + deviation - delta;
        if (sumUp < minUp) {
            minUp = sumUp;
        }
        sumDown = alpha * sumDown + deviation + delta;
        if (sumDown > maxDown) {
            maxDown = sumDown;
        }
        double up = sumUp - minUp;
        double down = maxDown - sumDown;
        statistic = switch (direction) {
            case INCREASE -> up;
            case DECREASE -> down;
            case BOTH -> Math.max(up, down);
        };
        if (count >= minInstances && statistic > threshold) {
            reset();
            return true;
        }
        return false;
    }

    @Override
    public double statistic() {
        return statistic;
    }

    @Override
    public long seen() {
        return seen;
    }

    /** Values fed since the last reset (or creation). */
    public long sinceReset() {
        return count;
    }

    /** The running mean of the values since the last reset; 0 right after one. */
    public double mean() {
        return mean;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public DriftSettings settings() {
        return settings;
    }

    @Override
    public PageHinkley copy() {
        return new PageHinkley(this);
    }

    @Override
    public int encodedSize() {
        return ENCODED_SIZE;
    }

    @Override
    public void encode(ByteBuffer buf) {
        buf.put(TAG).put(VERSION);
        buf.put((byte) direction.ordinal());
        buf.putInt(minInstances);
        buf.putDouble(delta).putDouble(threshold).putDouble(alpha);
        buf.putLong(seen).putLong(count);
        buf.putDouble(mean).putDouble(sumUp).putDouble(minUp).putDouble(sumDown).putDouble(maxDown).putDouble(statistic);
    }

    /** The fields after the tag and version. */
    static PageHinkley decodeBody(ByteBuffer buf) {
        Direction direction = Adwin.directionAt(buf.get());
        int minInstances = buf.getInt();
        double delta = buf.getDouble();
        double threshold = buf.getDouble();
        double alpha = buf.getDouble();
        PageHinkley d = new PageHinkley(new DriftSettings(ID, direction, minInstances, delta, threshold, alpha, 0, 0, 0, 0));
        d.seen = buf.getLong();
        d.count = buf.getLong();
        if (d.seen < 0 || d.count < 0 || d.count > d.seen) {
            throw new IllegalArgumentException(ID + " state counts " + d.count + " values since its reset and " + d.seen + " in all");
        }
        d.mean = buf.getDouble();
        d.sumUp = buf.getDouble();
        d.minUp = buf.getDouble();
        d.sumDown = buf.getDouble();
        d.maxDown = buf.getDouble();
        d.statistic = buf.getDouble();
        return d;
    }

    @Override
    public String toString() {
        return ID + "(" + direction.id() + ", seen " + seen + ", statistic " + statistic + ")";
    }
}
