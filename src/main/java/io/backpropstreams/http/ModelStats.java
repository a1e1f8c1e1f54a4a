package io.backpropstreams.http;

import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingProgress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the monitor knows about one model from its committed progress records: the last step, loss and
 * loss EMA, the prequential accuracy counts and EMA of a model that classifies, a recent rate, and its
 * learning curve (with the accuracy EMA per point) at a resolution that falls with age on a log scale.
 *
 * <p>The curve keeps step {@code s} if {@code s} is a multiple of {@code stride(s)}, the largest
 * power of two not above {@code s / }{@value #POINTS_PER_OCTAVE} (and 1 below that): every step up to
 * 2 × {@value #POINTS_PER_OCTAVE}, then {@value #POINTS_PER_OCTAVE} points per doubling of the step
 * count. A point once kept is never dropped, so the number of points only grows, and a client that
 * asks for the points after the last step it has stays in step with the server. Memory grows with
 * the logarithm of the steps: about 5,000 points (120 KB) after a billion steps. The trainer thins
 * its progress records with power-of-two strides too, so the kept steps are the ones that arrive.
 */
final class ModelStats {

    /** Curve points kept per doubling of the step count. */
    static final int POINTS_PER_OCTAVE = 256;
    private static final long RATE_WINDOW_MS = 5_000;

    /** One point of the learning curve; {@code accuracyEma} is NaN before the model has classified a sample. */
    record Point(long step, double loss, double lossEma, double accuracyEma) {
    }

    private record Mark(long timeMs, long step) {
    }

    private final String modelId;
    private long step;
    private double loss = Double.NaN;
    private double lossEma = Double.NaN;
    private long classified;
    private long correct;
    private double accuracyEma = Double.NaN;
    private long[] curveStep = new long[64];
    private double[] curveLoss = new double[64];
    private double[] curveEma = new double[64];
    private double[] curveAccuracyEma = new double[64];
    private int points;
    private final ArrayDeque<Mark> marks = new ArrayDeque<>();

    /** A drift detection as the dashboard marks it on the curve. */
    record Drift(long step, String detector, double statistic) {
    }

    /** Most drift detections kept per model: the newest, so a flapping detector cannot grow the heap. */
    static final int MAX_DRIFTS = 256;

    private final java.util.ArrayDeque<Drift> drifts = new java.util.ArrayDeque<>();

    ModelStats(String modelId) {
        this.modelId = modelId;
    }

    /**
     * One progress record: step 0 (a create or reset) or a step below the last one starts a new
     * history; the record's curve points extend the curve.
     */
    synchronized void record(TrainingProgress progress, long nowMs) {
        long step = progress.getStep();
        if (step == 0 || step < this.step) {
            points = 0;
            marks.clear();
            drifts.clear();
        }
        for (CurvePoint p : progress.getCurve()) {
            addPoint(p.getStep(), p.getLoss(), p.getLossEma(), p.getAccuracyEma() == null ? Double.NaN : p.getAccuracyEma());
        }
        this.step = step;
        this.loss = progress.getLoss();
        this.lossEma = progress.getLossEma();
        this.classified = progress.getClassified();
        this.correct = progress.getCorrect();
        this.accuracyEma = progress.getAccuracyEma() == null ? Double.NaN : progress.getAccuracyEma();
        mark(step, nowMs);
    }

    /** One detection from the drift topic. */
    synchronized void recordDrift(long step, String detector, double statistic) {
        if (drifts.size() == MAX_DRIFTS) {
            drifts.removeFirst();
        }
        drifts.addLast(new Drift(step, detector, statistic));
    }

    /**
     * The drift detections kept, oldest first, up to the current step: the drift topic is not
     * compacted, so a detection of a model's previous life (before a reset whose step-0 progress
     * record compaction removed) may be read after the new life's progress.
     */
    synchronized List<Drift> drifts() {
        return drifts.stream().filter(d -> d.step() <= step).toList();
    }

    /** The spacing of kept points around {@code step}: 1, then doubling with every doubling of the step. */
    static long stride(long step) {
        return Math.max(1, Long.highestOneBit(step / POINTS_PER_OCTAVE));
    }

    private void addPoint(long step, double loss, double lossEma, double accuracyEma) {
        boolean after = points == 0 || step > curveStep[points - 1];
        if (!after || (step % stride(step) != 0 && points > 0)) {
            return;
        }
        if (points == curveStep.length) {
            int n = points * 2;
            curveStep = java.util.Arrays.copyOf(curveStep, n);
            curveLoss = java.util.Arrays.copyOf(curveLoss, n);
            curveEma = java.util.Arrays.copyOf(curveEma, n);
            curveAccuracyEma = java.util.Arrays.copyOf(curveAccuracyEma, n);
        }
        curveStep[points] = step;
        curveLoss[points] = loss;
        curveEma[points] = lossEma;
        curveAccuracyEma[points] = accuracyEma;
        points++;
    }

    private void mark(long step, long nowMs) {
        if (marks.isEmpty() || nowMs - marks.peekLast().timeMs() >= 100) {
            marks.addLast(new Mark(nowMs, step));
        }
        while (marks.size() > 2 && nowMs - marks.peekFirst().timeMs() > RATE_WINDOW_MS) {
            marks.removeFirst();
        }
    }

    /** Samples per second over the last few seconds; 0 when nothing has arrived lately. */
    synchronized double samplesPerSecond(long nowMs) {
        if (marks.size() < 2 || nowMs - marks.peekLast().timeMs() > RATE_WINDOW_MS) {
            return 0.0;
        }
        Mark first = marks.peekFirst();
        long dt = Math.max(1, nowMs - first.timeMs());
        return (step - first.step()) * 1000.0 / dt;
    }

    synchronized long step() {
        return step;
    }

    synchronized double loss() {
        return loss;
    }

    synchronized double lossEma() {
        return lossEma;
    }

    /** Samples with a one-hot target trained on since the model's create or reset. */
    synchronized long classified() {
        return classified;
    }

    /** Prequential accuracy, correct / classified; NaN before the first classification sample. */
    synchronized double accuracy() {
        return classified == 0 ? Double.NaN : (double) correct / classified;
    }

    /** The EMA of the 0/1 verdicts; NaN before the first classification sample. */
    synchronized double accuracyEma() {
        return accuracyEma;
    }

    /** The kept points after {@code afterStep}, oldest first. */
    synchronized List<Point> curveSince(long afterStep) {
        int from = java.util.Arrays.binarySearch(curveStep, 0, points, afterStep);
        from = from >= 0 ? from + 1 : -from - 1;
        List<Point> out = new ArrayList<>(points - from);
        for (int k = from; k < points; k++) {
            out.add(new Point(curveStep[k], curveLoss[k], curveEma[k], curveAccuracyEma[k]));
        }
        return out;
    }

    /** How many curve points are kept. */
    synchronized int curvePoints() {
        return points;
    }

    String modelId() {
        return modelId;
    }
}
