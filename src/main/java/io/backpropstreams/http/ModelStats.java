package io.backpropstreams.http;

import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingProgress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the monitor knows about one model from its committed progress records: the last step, loss and
 * loss EMA, a recent rate, and a learning curve thinned to at most {@value #MAX_POINTS} points
 * (when full, every other point is dropped and the sampling stride doubles, so the curve always
 * spans the whole history at an even density).
 */
final class ModelStats {

    static final int MAX_POINTS = 2_000;
    private static final long RATE_WINDOW_MS = 5_000;

    /** One point of the learning curve. */
    record Point(long step, double loss, double lossEma) {
    }

    private record Mark(long timeMs, long step) {
    }

    private final String modelId;
    private long step;
    private double loss = Double.NaN;
    private double lossEma = Double.NaN;
    private final List<Point> curve = new ArrayList<>();
    private long stride = 1;
    private final ArrayDeque<Mark> marks = new ArrayDeque<>();

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
            curve.clear();
            stride = 1;
            marks.clear();
        }
        for (CurvePoint p : progress.getCurve()) {
            addPoint(p.getStep(), p.getLoss(), p.getLossEma());
        }
        this.step = step;
        this.loss = progress.getLoss();
        this.lossEma = progress.getLossEma();
        mark(step, nowMs);
    }

    private void addPoint(long step, double loss, double lossEma) {
        if (step % stride == 0 || curve.isEmpty()) {
            curve.add(new Point(step, loss, lossEma));
            if (curve.size() > MAX_POINTS) {
                stride *= 2;
                curve.removeIf(p -> p.step() % stride != 0 && p.step() != 1);
            }
        }
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

    synchronized List<Point> curveSince(long afterStep) {
        List<Point> out = new ArrayList<>();
        for (Point p : curve) {
            if (p.step() > afterStep) {
                out.add(p);
            }
        }
        return out;
    }

    String modelId() {
        return modelId;
    }
}
