package io.backpropstreams.http;

/**
 * The last {@value #SECONDS} seconds of this instance's throughput and dead-letter count, one
 * point per second, so that the dashboard draws their history from the moment it opens rather
 * than from its own first poll. A fixed ring of primitives: 14 KB whatever the uptime.
 */
final class StatsHistory {

    /** How far back the history reaches. */
    static final int SECONDS = 600;

    /** The history, oldest first: epoch seconds, samples per second, dead letters seen so far. */
    record Snapshot(long[] epochSecond, double[] samplesPerSecond, double[] deadLetters) {
    }

    private final long[] second = new long[SECONDS];
    private final double[] rate = new double[SECONDS];
    private final double[] dead = new double[SECONDS];
    private int next;
    private int size;

    /** Records the figures of the second {@code nowMs} falls in, once per second; later calls in that second are ignored. */
    synchronized void sample(long nowMs, double samplesPerSecond, double deadLettersSoFar) {
        long s = Math.floorDiv(nowMs, 1000);
        if (size > 0 && second[(next - 1 + SECONDS) % SECONDS] >= s) {
            return;
        }
        second[next] = s;
        rate[next] = samplesPerSecond;
        dead[next] = deadLettersSoFar;
        next = (next + 1) % SECONDS;
        size = Math.min(SECONDS, size + 1);
    }

    /** A copy of the history, oldest first. */
    synchronized Snapshot snapshot() {
        long[] s = new long[size];
        double[] r = new double[size];
        double[] d = new double[size];
        int first = (next - size + SECONDS) % SECONDS;
        for (int k = 0; k < size; k++) {
            int at = (first + k) % SECONDS;
            s[k] = second[at];
            r[k] = rate[at];
            d[k] = dead[at];
        }
        return new Snapshot(s, r, d);
    }
}
