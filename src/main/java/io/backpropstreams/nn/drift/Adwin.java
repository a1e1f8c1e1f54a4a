package io.backpropstreams.nn.drift;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * ADWIN, adaptive windowing (Bifet &amp; Gavaldà 2007), with the exponential histogram of ADWIN2
 * and the cut test of River's {@code drift.ADWIN} and MOA.
 *
 * <p>The detector keeps the window {@code W} of recent values as buckets: row {@code r} holds up
 * to {@code maxBuckets} buckets of {@code 2^r} consecutive values each (their sum and their sum of
 * squared deviations from their own mean); when a row overflows, its two oldest buckets merge
 * into one of the next row. So the window of {@code n} values costs {@code O(maxBuckets·log n)}
 * memory, and each cut below is a bucket boundary.
 *
 * <p>Every {@code clock} values, once {@code n > gracePeriod}, each cut of {@code W} into an older
 * part {@code W0} ({@code n0} values, mean {@code μ0}) and a recent part {@code W1} ({@code n1},
 * {@code μ1}), both at least {@code minWindowLength} long, is tested:
 * <pre>
 *   1/m = 1/(n0 − minWindowLength + 1) + 1/(n1 − minWindowLength + 1)
 *   δ'  = δ / ln n
 *   ε   = sqrt(2/m · σ²_W · ln(2/δ')) + 2/(3m) · ln(2/δ')
 *   the cut splits two regimes when |μ1 − μ0| &gt; ε
 * </pre>
 * where {@code σ²_W} is the variance of the whole window. This is the Bernstein-type bound of
 * ADWIN's paper (its {@code 1/m = 1/n0 + 1/n1}, shrunk by {@code minWindowLength − 1} on each side
 * as River and MOA do): under a constant mean, every cut passes with probability at least
 * {@code 1 − δ} per check.
 *
 * <p>A cut in the {@link Direction reported direction} ({@code μ1 &gt; μ0} for {@code increase}) is a
 * detection: {@link #statistic()} is then the largest {@code |μ1 − μ0|} among the cuts that crossed
 * their bound (the size of the change, seen from the cut nearest to it: the first significant cut
 * from the old end sees the new values diluted in a long {@code W1}), and the detector resets to an
 * empty window, as River's {@code ADWIN} does on the update after a detection. A cut in the
 * other direction is not reported but still does what ADWIN does: the oldest bucket is dropped and
 * the cuts are tested again, until none splits the window. So while the model learns, the
 * window forgets the old, higher loss, and a later rise is measured against the loss as it is now.
 * Between detections {@link #statistic()} is the largest reportable difference among the cuts of
 * the last check, significant or not (0 before the first).
 *
 * <p>The scan visits every bucket, the newest of each row too (River's loop skips those, which
 * leaves their values out of {@code W0}); {@code W1} always keeps the newest value.
 *
 * <p><b>Defaults</b> are River's: {@code δ} 0.002, {@code clock} 32, {@code maxBuckets} 5,
 * {@code minWindowLength} 5, {@code gracePeriod} 10, with the direction {@code increase}.
 *
 * <p>Cost: amortised O(1) to insert (a merge cascade is O(log n) at worst), and a check every
 * {@code clock} values is O(maxBuckets·log n), plus one more per dropped bucket. A row's arrays are
 * allocated when the window first reaches its size: about {@code log2(n)} times in all.
 *
 * <p>Encoding after the tag {@code 'A'} and version 1: {@code direction:u8 delta:f64 clock:i32
 * maxBuckets:i32 minWindowLength:i32 gracePeriod:i32 seen:i64 tick:i64 width:i64 total:f64
 * variance:f64 statistic:f64 rows:i32}, then per row {@code buckets:i32} and per bucket
 * {@code total:f64 variance:f64}, oldest first.
 */
public final class Adwin implements DriftDetector {

    /** The detector's name in specs. */
    public static final String ID = "adwin";
    static final double DEFAULT_DELTA = 0.002;
    static final int DEFAULT_CLOCK = 32;
    static final int DEFAULT_MAX_BUCKETS = 5;
    static final int DEFAULT_MIN_WINDOW_LENGTH = 5;
    static final int DEFAULT_GRACE_PERIOD = 10;

    static final byte TAG = 'A';
    static final byte VERSION = 1;
    /** Row {@code r} holds buckets of {@code 2^r} values; a window of 2^62 values is out of reach. */
    private static final int MAX_ROWS = 62;

    private final DriftSettings settings;
    private final Direction direction;
    private final double delta;
    private final int clock;
    private final int maxBuckets;
    private final int minWindowLength;
    private final int gracePeriod;

    private long seen;
    /** Values since the last reset; a check runs when it is a multiple of {@code clock}. */
    private long tick;
    /** {@code n}, the number of values in the window. */
    private long width;
    /** Sum of the window's values. */
    private double total;
    /** Sum of squared deviations of the window's values from their mean ({@code n·σ²_W}). */
    private double variance;
    private double statistic;

    private int rows;
    /** Buckets in each row; row 0 holds single values. */
    private int[] bucketCount;
    /** Per row, the buckets' sums, oldest first ({@code maxBuckets + 1} slots: one overflows before a merge). */
    private double[][] bucketTotal;
    /** Per row, the buckets' sums of squared deviations from their own mean. */
    private double[][] bucketVariance;

    /** A fresh detector; {@code settings} must name {@code adwin}. */
    public Adwin(DriftSettings settings) {
        if (!settings.detector().equals(ID)) {
            throw new IllegalArgumentException("settings are for " + settings.detector() + ", not " + ID);
        }
        this.settings = settings;
        this.direction = settings.direction();
        this.delta = settings.delta();
        this.clock = settings.clock();
        this.maxBuckets = settings.maxBuckets();
        this.minWindowLength = settings.minWindowLength();
        this.gracePeriod = settings.gracePeriod();
        bucketCount = new int[0];
        bucketTotal = new double[0][];
        bucketVariance = new double[0][];
    }

    /** A fresh detector with the {@link DriftSettings#defaults defaults}. */
    public Adwin() {
        this(DriftSettings.defaults(ID));
    }

    private void reset() {
        tick = 0;
        width = 0;
        total = 0.0;
        variance = 0.0;
        for (int r = 0; r < rows; r++) {
            bucketCount[r] = 0;
        }
        rows = 0;
    }

    @Override
    public boolean update(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("drift detector " + ID + " was fed a non-finite value " + value + " after " + seen + " values");
        }
        seen++;
        insert(value);
        tick++;
        if (tick % clock == 0 && width > gracePeriod) {
            return check();
        }
        return false;
    }

    private void insert(double value) {
        if (width > 0) {
            // Welford's update of the sum of squared deviations, with the mean of the previous values
            double d = value - total / width;
            variance += width * d * d / (width + 1);
        }
        width++;
        total += value;
        append(0, value, 0.0);
        for (int r = 0; r < rows && bucketCount[r] > maxBuckets; r++) {
            double[] t = bucketTotal[r];
            double[] v = bucketVariance[r];
            // two buckets of n = 2^r values: the merged M2 is v0 + v1 + (n·n/(n+n))·(μ0 − μ1)²
            double n = (double) (1L << r);
            double mu = (t[0] - t[1]) / n;
            append(r + 1, t[0] + t[1], v[0] + v[1] + n * mu * mu / 2.0);
            removeOldest(r, 2);
        }
    }

    private void append(int row, double sum, double m2) {
        if (row == rows) {
            if (row == MAX_ROWS) {
                throw new IllegalStateException("adwin window of " + width + " values overflows its " + MAX_ROWS + " rows");
            }
            if (row == bucketCount.length) {
                // the only allocation: one row of arrays per doubling of the longest window yet
                bucketCount = Arrays.copyOf(bucketCount, row + 1);
                bucketTotal = Arrays.copyOf(bucketTotal, row + 1);
                bucketVariance = Arrays.copyOf(bucketVariance, row + 1);
                bucketTotal[row] = new double[maxBuckets + 1];
                bucketVariance[row] = new double[maxBuckets + 1];
            }
            bucketCount[row] = 0;
            rows++;
        }
        int k = bucketCount[row]++;
        bucketTotal[row][k] = sum;
        bucketVariance[row][k] = m2;
    }

    private void removeOldest(int row, int k) {
        int left = bucketCount[row] - k;
        System.arraycopy(bucketTotal[row], k, bucketTotal[row], 0, left);
        System.arraycopy(bucketVariance[row], k, bucketVariance[row], 0, left);
        bucketCount[row] = left;
    }

    /** Drops the window's oldest bucket (the first of the last row) and its values from the totals. */
    private void dropOldestBucket() {
        int r = rows - 1;
        long n = 1L << r;
        double u = bucketTotal[r][0];
        double v = bucketVariance[r][0];
        width -= n;
        total -= u;
        double d = u / n - total / width;
        // the removed part's own M2 plus its between-group term; rounding must not leave it below 0
        variance = Math.max(0.0, variance - (v + (double) n * width * d * d / (n + width)));
        removeOldest(r, 1);
        while (rows > 0 && bucketCount[rows - 1] == 0) {
            rows--;
        }
    }

    /**
     * Tests every cut, oldest first. A significant cut in the reported direction is a change; the
     * scan still runs to its end so that the statistic is the largest significant difference
     * (the cut nearest the change point), not merely the first, oldest one. A significant cut in
     * the other direction before any reportable one drops the oldest bucket and starts again.
     */
    private boolean check() {
        while (true) {
            // StrictMath: Math.log may differ by an ulp between JVMs, and a restored detector must not
            double lnTerm = StrictMath.log(2.0 * StrictMath.log(width) / delta);
            double windowVariance = variance / width;
            long n0 = 0;
            long n1 = width;
            double u0 = 0.0;
            double u1 = total;
            double largest = 0.0;
            double largestSignificant = 0.0;
            boolean detected = false;
            boolean dropped = false;
            scan:
            for (int r = rows - 1; r >= 0; r--) {
                long size = 1L << r;
                double[] t = bucketTotal[r];
                int count = bucketCount[r];
                for (int k = 0; k < count; k++) {
                    if (r == 0 && k == count - 1) {
                        break scan;
                    }
                    n0 += size;
                    n1 -= size;
                    u0 += t[k];
                    u1 -= t[k];
                    if (n0 < minWindowLength || n1 < minWindowLength) {
                        continue;
                    }
                    double difference = u1 / n1 - u0 / n0;
                    double reportable = switch (direction) {
                        case INCREASE -> difference;
                        case DECREASE -> -difference;
                        case BOTH -> Math.abs(difference);
                    };
                    if (reportable > largest) {
                        largest = reportable;
                    }
                    double invM = 1.0 / (n0 - minWindowLength + 1) + 1.0 / (n1 - minWindowLength + 1);
                    double epsilon = Math.sqrt(2.0 * invM * windowVariance * lnTerm) + 2.0 / 3.0 * invM * lnTerm;
                    if (Math.abs(difference) > epsilon) {
                        if (direction.reports(difference)) {
                            detected = true;
                            if (reportable > largestSignificant) {
                                largestSignificant = reportable;
                            }
                        } else if (!detected) {
                            dropOldestBucket();
                            dropped = true;
                            break scan;
                        }
                    }
                }
            }
            if (detected) {
                statistic = largestSignificant;
                reset();
                return true;
            }
            if (!dropped) {
                statistic = largest;
                return false;
            }
        }
    }

    @Override
    public double statistic() {
        return statistic;
    }

    @Override
    public long seen() {
        return seen;
    }

    /** {@code n}: the values in the window now. */
    public long width() {
        return width;
    }

    /** The mean of the window; 0 when it is empty. */
    public double mean() {
        return width == 0 ? 0.0 : total / width;
    }

    /** {@code σ²_W}, the population variance of the window; 0 when it is empty. */
    public double variance() {
        return width == 0 ? 0.0 : variance / width;
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
    public Adwin copy() {
        Adwin c = new Adwin(settings);
        c.copyStateFrom(this);
        return c;
    }

    private void copyStateFrom(Adwin o) {
        seen = o.seen;
        tick = o.tick;
        width = o.width;
        total = o.total;
        variance = o.variance;
        statistic = o.statistic;
        rows = o.rows;
        bucketCount = Arrays.copyOf(o.bucketCount, o.rows);
        bucketTotal = new double[o.rows][];
        bucketVariance = new double[o.rows][];
        for (int r = 0; r < o.rows; r++) {
            bucketTotal[r] = o.bucketTotal[r].clone();
            bucketVariance[r] = o.bucketVariance[r].clone();
        }
    }

    @Override
    public int encodedSize() {
        int buckets = 0;
        for (int r = 0; r < rows; r++) {
            buckets += bucketCount[r];
        }
        return 2 + 1 + 8 + 4 * 4 + 3 * 8 + 3 * 8 + 4 + 4 * rows + 16 * buckets;
    }

    @Override
    public void encode(ByteBuffer buf) {
        buf.put(TAG).put(VERSION);
        buf.put((byte) direction.ordinal());
        buf.putDouble(delta);
        buf.putInt(clock).putInt(maxBuckets).putInt(minWindowLength).putInt(gracePeriod);
        buf.putLong(seen).putLong(tick).putLong(width);
        buf.putDouble(total).putDouble(variance).putDouble(statistic);
        buf.putInt(rows);
        for (int r = 0; r < rows; r++) {
            buf.putInt(bucketCount[r]);
            for (int k = 0; k < bucketCount[r]; k++) {
                buf.putDouble(bucketTotal[r][k]).putDouble(bucketVariance[r][k]);
            }
        }
    }

    /** The fields after the tag and version. */
    static Adwin decodeBody(ByteBuffer buf) {
        Direction direction = directionAt(buf.get());
        double delta = buf.getDouble();
        int clock = buf.getInt();
        int maxBuckets = buf.getInt();
        int minWindowLength = buf.getInt();
        int gracePeriod = buf.getInt();
        Adwin a = new Adwin(new DriftSettings(ID, direction, 0, delta, 0.0, 0.0, clock, maxBuckets, minWindowLength, gracePeriod));
        a.seen = buf.getLong();
        a.tick = buf.getLong();
        a.width = buf.getLong();
        a.total = buf.getDouble();
        a.variance = buf.getDouble();
        a.statistic = buf.getDouble();
        int rows = buf.getInt();
        if (rows < 0 || rows > MAX_ROWS) {
            throw new IllegalArgumentException(ID + " state has " + rows + " bucket rows; at most " + MAX_ROWS + " are possible");
        }
        a.rows = rows;
        a.bucketCount = new int[rows];
        a.bucketTotal = new double[rows][maxBuckets + 1];
        a.bucketVariance = new double[rows][maxBuckets + 1];
        long values = 0;
        for (int r = 0; r < rows; r++) {
            int count = buf.getInt();
            if (count < 0 || count > maxBuckets) {
                throw new IllegalArgumentException(ID + " state has " + count + " buckets in row " + r + "; maxBuckets is " + maxBuckets);
            }
            a.bucketCount[r] = count;
            for (int k = 0; k < count; k++) {
                a.bucketTotal[r][k] = buf.getDouble();
                a.bucketVariance[r][k] = buf.getDouble();
            }
            values += (long) count << r;
        }
        if (values != a.width) {
            throw new IllegalArgumentException(ID + " state claims a window of " + a.width + " values but its buckets hold " + values);
        }
        if (rows > 0 && a.bucketCount[rows - 1] == 0) {
            throw new IllegalArgumentException(ID + " state ends with an empty bucket row " + (rows - 1));
        }
        if (a.seen < 0 || a.tick < 0 || a.tick > a.seen || a.width > a.tick) {
            throw new IllegalArgumentException(ID + " state counts " + a.seen + " values, " + a.tick + " since its reset and "
                    + a.width + " in its window");
        }
        return a;
    }

    static Direction directionAt(byte ordinal) {
        Direction[] values = Direction.values();
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IllegalArgumentException("drift detector state has unknown direction " + ordinal);
        }
        return values[ordinal];
    }

    @Override
    public String toString() {
        return ID + "(" + direction.id() + ", seen " + seen + ", width " + width + ", statistic " + statistic + ")";
    }
}
