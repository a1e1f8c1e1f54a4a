package io.backpropstreams.http;

import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingProgress;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitor's learning curve: points are only ever added, at a resolution that falls with age. */
class ModelStatsTest {

    /** Feeds steps 1..last as the trainer would: records of up to 64 points at a power-of-two stride, plus the last step. */
    private static void train(ModelStats stats, long first, long last, int perRecord) {
        for (long from = first; from <= last; from += perRecord) {
            long to = Math.min(last, from + perRecord - 1);
            long stride = Math.max(1, Long.highestOneBit(Math.max(1, (to - from + 1) / 64)));
            List<CurvePoint> curve = new ArrayList<>();
            for (long s = from; s <= to; s++) {
                if (s % stride == 0 || s == to || s == 1) { // the trainer always keeps step 1
                    curve.add(new CurvePoint(s, 1.0 / s, 1.0 / s, null));
                }
            }
            stats.record(new TrainingProgress("m", to, 1.0 / to, 1.0 / to, curve, Instant.EPOCH, 0L, 0L, null), 0);
        }
    }

    @Test
    void theCurveNeverShrinksAndGrowsWithTheLogarithmOfTheSteps() {
        ModelStats stats = new ModelStats("m");
        int previous = 0;
        for (long upTo = 1_000; upTo <= 1_000_000; upTo += 1_000) {
            train(stats, upTo - 999, upTo, 500);
            int now = stats.curvePoints();
            assertTrue(now >= previous, "the number of points went down from " + previous + " to " + now + " at step " + upTo);
            previous = now;
        }
        // every step to 2 × 256, then 256 per doubling: log2(1e6 / 512) ≈ 11 octaves more
        assertTrue(previous > 2_500 && previous < 4_000, "points after a million steps: " + previous);
        List<ModelStats.Point> all = stats.curveSince(0);
        assertEquals(previous, all.size());
        assertEquals(1, all.get(0).step(), "the curve starts at step 1");
        for (int k = 1; k < all.size(); k++) {
            assertTrue(all.get(k).step() > all.get(k - 1).step(), "steps grow: " + all.get(k - 1) + " then " + all.get(k));
        }
        // the last octave is as dense as the first: 256 points between 524,288 and 1,000,000 at stride 2,048 or less
        long recent = all.stream().filter(p -> p.step() > 524_288).count();
        assertTrue(recent >= 200, "points in the last octave: " + recent);
    }

    @Test
    void pointsAfterAStepAreThoseAClientDoesNotHaveYet() {
        ModelStats stats = new ModelStats("m");
        train(stats, 1, 3_000, 100);
        List<ModelStats.Point> all = stats.curveSince(0);
        long middle = all.get(all.size() / 2).step();
        List<ModelStats.Point> after = stats.curveSince(middle);
        assertEquals(all.subList(all.size() / 2 + 1, all.size()), after);
        assertEquals(List.of(), stats.curveSince(3_000));
    }

    @Test
    void aResetStartsANewCurve() {
        ModelStats stats = new ModelStats("m");
        train(stats, 1, 5_000, 250);
        stats.record(new TrainingProgress("m", 0L, Double.NaN, Double.NaN, List.of(), Instant.EPOCH, 0L, 0L, null), 0);
        assertEquals(0, stats.curvePoints());
        train(stats, 1, 10, 5);
        assertEquals(10, stats.curvePoints());
        assertEquals(0.1, stats.curveSince(9).get(0).loss());
    }

    @Test
    void accuracyIsCorrectOverClassifiedAndNaNUntilTheFirstClassificationAndAfterAReset() {
        ModelStats stats = new ModelStats("m");
        stats.record(new TrainingProgress("m", 2L, 0.5, 0.5, List.of(new CurvePoint(1L, 0.5, 0.5, null), new CurvePoint(2L, 0.5, 0.5, null)),
                Instant.EPOCH, 0L, 0L, null), 0);
        assertTrue(Double.isNaN(stats.accuracy()) && Double.isNaN(stats.accuracyEma()), "nothing classified yet");
        stats.record(new TrainingProgress("m", 4L, 0.4, 0.45, List.of(new CurvePoint(3L, 0.4, 0.48, 1.0), new CurvePoint(4L, 0.4, 0.45, 0.99)),
                Instant.EPOCH, 2L, 1L, 0.99), 0);
        assertEquals(2, stats.classified());
        assertEquals(0.5, stats.accuracy(), 0.0);
        assertEquals(0.99, stats.accuracyEma(), 0.0);
        List<ModelStats.Point> curve = stats.curveSince(0);
        assertEquals(List.of(Double.NaN, Double.NaN, 1.0, 0.99), curve.stream().map(ModelStats.Point::accuracyEma).toList(),
                "each point's accuracy EMA, NaN where the record had none");
        stats.record(new TrainingProgress("m", 0L, Double.NaN, Double.NaN, List.of(), Instant.EPOCH, 0L, 0L, null), 0);
        assertEquals(0, stats.classified());
        assertTrue(Double.isNaN(stats.accuracy()) && Double.isNaN(stats.accuracyEma()), "a reset forgets the accuracy");
    }

    @Test
    void theStrideDoublesWithEveryOctave() {
        assertEquals(1, ModelStats.stride(1));
        assertEquals(1, ModelStats.stride(511));
        assertEquals(2, ModelStats.stride(512));
        assertEquals(4, ModelStats.stride(1_024));
        assertEquals(1L << 20, ModelStats.stride(256L << 20));
    }
}
