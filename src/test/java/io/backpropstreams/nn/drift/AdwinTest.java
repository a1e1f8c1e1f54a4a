package io.backpropstreams.nn.drift;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of ADWIN: the cut test against a brute force, the histogram, direction, reset. */
class AdwinTest {

    private static Adwin adwin(Direction direction, double delta, int clock, int maxBuckets, int minWindowLength, int gracePeriod) {
        return new Adwin(new DriftSettings(Adwin.ID, direction, 0, delta, 0.0, 0.0, clock, maxBuckets, minWindowLength, gracePeriod));
    }

    @Test
    void withRiversDefaultsDetectsWhereRiversDocstringExampleDoesAndReportsTheSizeOfTheJump() {
        double[] stream = LossStreams.riverDocstring();
        for (Direction direction : List.of(Direction.BOTH, Direction.INCREASE)) {
            Adwin a = new Adwin(DriftSettings.defaults(Adwin.ID).withDirection(direction));
            int first = -1;
            for (int t = 0; t < stream.length && first < 0; t++) {
                if (a.update(stream[t])) {
                    first = t;
                }
            }
            assertEquals(1023, first, direction.id());
            // the means are ≈ 0.5 and ≈ 5.5: the cut nearest the change sees ≈ 5, the first one from the old end ≈ 0.3
            assertTrue(a.statistic() > 4 && a.statistic() < 6, "statistic " + a.statistic());
            assertEquals(0, a.width(), "the window is empty after a detection");
            assertEquals(0.0, a.mean());
        }
    }

    /**
     * With room for every value in row 0 no bucket ever merges, so every position is a cut; a
     * direct implementation of the test over the list of values must then agree on every detection
     * (same step, same statistic) and on the window ADWIN keeps after dropping old values.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void withSingleValueBucketsAgreesWithABruteForceCutTest(Direction direction) {
        SplittableRandom random = new SplittableRandom(17);
        double[] values = new double[6_000];
        double[] levels = {0.2, 0.6, 0.3, 0.3, 0.8, 0.1};
        for (int t = 0; t < values.length; t++) {
            double level = levels[t / 1_000];
            values[t] = random.nextDouble() < level ? random.nextDouble(0.5, 1.5) : random.nextDouble(0.0, 0.1);
        }
        Adwin a = adwin(direction, 0.002, 8, 10_000, 5, 10);
        BruteForceAdwin b = new BruteForceAdwin(direction, 0.002, 8, 5, 10);
        int detections = 0;
        for (int t = 0; t < values.length; t++) {
            boolean expected = b.update(values[t]);
            assertEquals(expected, a.update(values[t]), "detection at step " + t);
            assertEquals(b.statistic, a.statistic(), 1e-9, "statistic at step " + t);
            assertEquals(b.window.size(), a.width(), "window at step " + t);
            detections += expected ? 1 : 0;
        }
        assertTrue(detections >= 2, "the stream has changes to detect, found " + detections);
    }

    @Test
    void histogramKeepsTheWindowsSumInLogarithmicSpace() {
        SplittableRandom random = new SplittableRandom(5);
        Adwin a = new Adwin();
        double sum = 0.0;
        int n = 100_000;
        for (int t = 0; t < n; t++) {
            double v = random.nextDouble();
            sum += v;
            assertFalse(a.update(v), "a stationary stream, step " + t);
        }
        assertEquals(n, a.width());
        assertEquals(sum / n, a.mean(), 1e-12);
        // log2(100,000) < 17 rows of at most 5 buckets, 16 bytes each, plus 4 per row and 87 fixed
        int bound = 87 + 17 * (4 + 5 * 16);
        assertTrue(a.encodedSize() <= bound, "state of " + a.encodedSize() + " bytes for a window of " + n + ", bound " + bound);
    }

    @Test
    void droppingOldBucketsKeepsTheWindowsMeanAndVarianceExact() {
        SplittableRandom random = new SplittableRandom(21);
        Adwin a = new Adwin();
        List<Double> fed = new ArrayList<>();
        for (int t = 0; t < 6_000; t++) {
            // a high regime, then a low one: the fall makes ADWIN drop merged buckets of the past
            double v = t < 3_000 ? random.nextDouble(0.5, 2.0) : random.nextDouble(0.0, 0.4);
            assertFalse(a.update(v), "step " + t);
            fed.add(v);
        }
        int n = (int) a.width();
        assertTrue(n < 3_500 && n > 100, "the window dropped the past: " + n);
        double[] window = fed.subList(fed.size() - n, fed.size()).stream().mapToDouble(Double::doubleValue).toArray();
        double mean = Arrays.stream(window).average().orElseThrow();
        double variance = Arrays.stream(window).map(v -> (v - mean) * (v - mean)).sum() / n;
        assertEquals(mean, a.mean(), 1e-12);
        assertEquals(variance, a.variance(), 1e-9);
    }

    @Test
    void checksOnlyEveryClockValues() {
        Adwin a = new Adwin();
        int t = 0;
        while (t < 500) {
            a.update(0.0);
            t++;
        }
        while (!a.update(1.0)) {
            t++;
        }
        t++;
        assertEquals(0, a.seen() % 32, "detected after " + a.seen() + " values");
        assertEquals(t, a.seen());
        assertTrue(a.seen() <= 500 + 32, "the first check after the jump fires: " + a.seen());
    }

    @Test
    void increaseForgetsAHigherPastWithoutReportingItAndThenCatchesTheNextRise() {
        SplittableRandom random = new SplittableRandom(9);
        Adwin a = new Adwin();
        for (int t = 0; t < 2_000; t++) {
            assertFalse(a.update(random.nextDouble() < 0.8 ? 1.0 : 0.0), "high regime, step " + t);
        }
        for (int t = 0; t < 2_000; t++) {
            assertFalse(a.update(random.nextDouble() < 0.2 ? 1.0 : 0.0), "a fall is not reported, step " + t);
        }
        assertTrue(a.width() < 2_100, "the high past was dropped: window " + a.width());
        assertTrue(a.mean() < 0.3, "window mean " + a.mean());
        int delay = 0;
        while (!a.update(random.nextDouble() < 0.8 ? 1.0 : 0.0)) {
            delay++;
        }
        assertTrue(delay < 96, "rise detected after " + delay + " values");
    }

    @Test
    void bothReportsAFall() {
        Adwin a = new Adwin(DriftSettings.defaults(Adwin.ID).withDirection(Direction.BOTH));
        for (int t = 0; t < 1_000; t++) {
            assertFalse(a.update(1.0 + 0.01 * (t % 7)));
        }
        int delay = 0;
        while (!a.update(0.01 * (delay % 7))) {
            delay++;
        }
        assertTrue(delay < 64, "fall detected after " + delay + " values");
        assertEquals(1.0, a.statistic(), 0.1);
    }

    @Test
    void smallestHistogramStillWorks() {
        // one bucket per row: row 0 is empty after every merge
        Adwin a = adwin(Direction.INCREASE, 0.002, 1, 1, 1, 0);
        for (int t = 0; t < 1_000; t++) {
            assertFalse(a.update(0.0), "step " + t);
        }
        assertEquals(1_000, a.width());
        int delay = 0;
        while (!a.update(1.0)) {
            delay++;
        }
        assertTrue(delay < 64, "detected after " + delay + " values");
    }

    @Test
    void refusesANonFiniteValueAndKeepsItsState() {
        Adwin a = new Adwin();
        for (int i = 0; i < 70; i++) {
            a.update(0.1 * (i % 3));
        }
        byte[] before = a.encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.update(Double.NEGATIVE_INFINITY));
        assertEquals("drift detector adwin was fed a non-finite value -Infinity after 70 values", e.getMessage());
        assertArrayEquals(before, a.encode());
    }

    /** ADWIN over the plain list of values since the last reset, every position a cut. */
    private static final class BruteForceAdwin {
        final Direction direction;
        final double delta;
        final int clock;
        final int minWindowLength;
        final int gracePeriod;
        final List<Double> window = new ArrayList<>();
        long tick;
        double statistic;

        BruteForceAdwin(Direction direction, double delta, int clock, int minWindowLength, int gracePeriod) {
            this.direction = direction;
            this.delta = delta;
            this.clock = clock;
            this.minWindowLength = minWindowLength;
            this.gracePeriod = gracePeriod;
        }

        boolean update(double value) {
            window.add(value);
            tick++;
            if (tick % clock != 0 || window.size() <= gracePeriod) {
                return false;
            }
            while (true) {
                int n = window.size();
                double[] prefix = new double[n + 1];
                for (int i = 0; i < n; i++) {
                    prefix[i + 1] = prefix[i] + window.get(i);
                }
                double mean = prefix[n] / n;
                double variance = window.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / n;
                double ln = Math.log(2 * Math.log(n) / delta);
                double largest = 0.0;
                double largestCut = 0.0;
                boolean detected = false;
                boolean drop = false;
                for (int n0 = 1; n0 < n && !drop; n0++) {
                    int n1 = n - n0;
                    if (n0 < minWindowLength || n1 < minWindowLength) {
                        continue;
                    }
                    double mu0 = prefix[n0] / n0;
                    double mu1 = (prefix[n] - prefix[n0]) / n1;
                    double diff = mu1 - mu0;
                    double reportable = direction == Direction.INCREASE ? diff : direction == Direction.DECREASE ? -diff : Math.abs(diff);
                    largest = Math.max(largest, reportable);
                    double m = 1.0 / (n0 - minWindowLength + 1) + 1.0 / (n1 - minWindowLength + 1);
                    double epsilon = Math.sqrt(2 * m * variance * ln) + 2.0 / 3.0 * m * ln;
                    if (Math.abs(diff) > epsilon) {
                        if (reportable > 0) {
                            detected = true;
                            largestCut = Math.max(largestCut, reportable);
                        } else if (!detected) {
                            drop = true;
                        }
                    }
                }
                if (detected) {
                    statistic = largestCut;
                    window.clear();
                    tick = 0;
                    return true;
                }
                if (!drop) {
                    statistic = largest;
                    return false;
                }
                window.remove(0);
            }
        }
    }
}
