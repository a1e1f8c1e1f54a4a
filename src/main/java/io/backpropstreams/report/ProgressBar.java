package io.backpropstreams.report;

import java.io.PrintWriter;

/**
 * A one-line progress indicator for long work: {@code [#####-----] 52% 5,200/10,000 12,345/s}.
 * It redraws in place with a carriage return at most ten times a second, and prints nothing
 * when disabled (for example with {@code --json}, where the output must stay machine-readable).
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    /** Makes the progress bar of one phase of long work; services take one so that callers decide where it draws. */
    @FunctionalInterface
    public interface Factory {
        /** A bar counting {@code label} up to {@code total}. */
        ProgressBar start(String label, long total);

        /** Bars that draw nothing. */
        static Factory none() {
            return (label, total) -> new ProgressBar(new PrintWriter(java.io.OutputStream.nullOutputStream()), label, total, false);
        }

        /**
         * Bars drawn on {@code out}, or nothing if {@code enabled} is false: redrawn in place on a
         * terminal, one line every few seconds when the output is a pipe, a file or a CI log.
         */
        static Factory on(PrintWriter out, boolean enabled) {
            boolean terminal = System.console() != null;
            return (label, total) -> new ProgressBar(out, label, total, enabled, terminal);
        }
    }

    private final PrintWriter out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;

    /**
     * @param out     where to draw (the command's error stream, so stdout stays clean)
     * @param label   what is being counted
     * @param total   the count at 100%
     * @param enabled false to draw nothing
     */
    public ProgressBar(PrintWriter out, String label, long total, boolean enabled) {
        this(out, label, total, enabled, true);
    }

    /**
     * @param terminal true to redraw in place with a carriage return (at most ten times a second);
     *                 false for one plain line per update at most every {@link #LINE_INTERVAL_NANOS}
     */
    public ProgressBar(PrintWriter out, String label, long total, boolean enabled, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.enabled = enabled;
        this.terminal = terminal;
        this.lastDrawNanos = terminal ? 0 : startNanos;
    }

    /** Shortest time between two progress lines when the output is not a terminal. */
    public static final long LINE_INTERVAL_NANOS = 5_000_000_000L;

    /** Redraws if at least 100 ms have passed since the last draw. */
    public void update(long done) {
        long now = System.nanoTime();
        if (enabled && now - lastDrawNanos >= (terminal ? 100_000_000L : LINE_INTERVAL_NANOS)) {
            lastDrawNanos = now;
            draw(done, now);
        }
    }

    /** Draws the final state and ends the line. */
    public void finish(long done) {
        if (enabled) {
            draw(done, System.nanoTime());
            if (terminal) {
                out.println();
            }
            out.flush();
        }
    }

    private void draw(long done, long now) {
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        out.printf("%s%s [%s%s] %3d%% %,d/%,d %,.0f/s%s", terminal ? "\r" : "", label, "#".repeat(filled), "-".repeat(WIDTH - filled),
                100 * done / total, done, total, done / seconds, terminal ? "" : System.lineSeparator());
        out.flush();
    }
}
