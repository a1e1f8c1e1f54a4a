package io.backpropstreams.topology;

import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one task has trained since it last wrote {@code training-progress}: per model the last
 * step, loss and loss EMA, the accuracy counts and EMA of a model that classifies (from its
 * {@link ModelState}, so they are the store's committed counts), and the learning curve since
 * then, thinned to at most {@value #MAX_POINTS} points. Thinning keeps every point whose step is a multiple of a stride
 * that doubles whenever the buffer fills, so a burst of 10,000 steps between two records still
 * gives an evenly spaced curve, and costs one modulo per sample.
 *
 * <p>This replaces one record per sample for the monitor: the trainer writes one
 * {@code TrainingProgress} per model per stats interval, in the same transaction as the steps it
 * counts, so a reader sees committed progress only and an aborted transaction takes its progress
 * records with it. Not thread-safe: one per processor, used on its stream thread.
 */
final class ProgressTracker {

    /** Curve points one record carries at most. */
    static final int MAX_POINTS = 64;

    private static final class Pending {
        long step;
        double loss;
        double lossEma;
        long classified;
        long correct;
        /** NaN while the model has classified nothing; boxed only when it goes into a record. */
        double accuracyEma = Double.NaN;
        long stride = 1;
        final List<CurvePoint> curve = new ArrayList<>();
    }

    private final Map<String, Pending> pending = new LinkedHashMap<>();

    /**
     * One trained step of {@code model}, with the model's accuracy counts after it.
     *
     * @param accuracyEma NaN while the model has classified nothing
     */
    void step(String model, long step, double loss, double lossEma, long classified, long correct, double accuracyEma) {
        Pending p = pending.computeIfAbsent(model, k -> new Pending());
        p.step = step;
        p.loss = loss;
        p.lossEma = lossEma;
        p.classified = classified;
        p.correct = correct;
        p.accuracyEma = accuracyEma;
        if (step % p.stride == 0) {
            p.curve.add(new CurvePoint(step, loss, lossEma, orNull(accuracyEma)));
            if (p.curve.size() > MAX_POINTS) {
                p.stride *= 2;
                long stride = p.stride;
                p.curve.removeIf(c -> c.getStep() % stride != 0 && c.getStep() != 1);
            }
        }
    }

    /** The schema's null for "no accuracy yet", which NaN stands for here. */
    private static Double orNull(double accuracyEma) {
        return Double.isNaN(accuracyEma) ? null : accuracyEma;
    }

    /** Forgets what is pending for {@code model} (it was created, reset or deleted). */
    void forget(String model) {
        pending.remove(model);
    }

    /** Forgets everything: the task was re-initialised and its uncommitted steps are gone. */
    void clear() {
        pending.clear();
    }

    /** True if nothing is pending. */
    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The record of a model just created or reset: step 0, no loss yet. */
    static TrainingProgress started(String model, long nowMs) {
        return new TrainingProgress(model, 0L, Double.NaN, Double.NaN, List.of(), Instant.ofEpochMilli(nowMs), 0L, 0L, null);
    }

    /** One record per model with pending steps, the last step always on the curve; then nothing is pending. */
    List<TrainingProgress> drain(long nowMs) {
        List<TrainingProgress> out = new ArrayList<>(pending.size());
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            List<CurvePoint> curve = p.curve;
            if (curve.isEmpty() || curve.get(curve.size() - 1).getStep() != p.step) {
                curve.add(new CurvePoint(p.step, p.loss, p.lossEma, orNull(p.accuracyEma)));
            }
            out.add(new TrainingProgress(e.getKey(), p.step, p.loss, p.lossEma, curve, Instant.ofEpochMilli(nowMs), p.classified,
                    p.correct, orNull(p.accuracyEma)));
        }
        pending.clear();
        return out;
    }
}
