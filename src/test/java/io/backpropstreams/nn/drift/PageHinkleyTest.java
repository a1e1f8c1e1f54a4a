package io.backpropstreams.nn.drift;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the Page-Hinkley test: its statistic, direction, reset, defaults against River's. */
class PageHinkleyTest {

    private static PageHinkley detector(Direction direction, int minInstances, double delta, double threshold, double alpha) {
        return new PageHinkley(new DriftSettings(PageHinkley.ID, direction, minInstances, delta, threshold, alpha, 0, 0, 0, 0));
    }

    @Test
    void statisticIsTheCumulativeDeviationFromTheRunningMeanAboveItsMinimum() {
        PageHinkley ph = detector(Direction.INCREASE, 1, 0.1, 100, 1.0);
        // means 2, 1, 1, 1.75; deviations 0, −1, 0, 2.25; m = −0.1, −1.2, −1.3, 0.85; M = −0.1, −1.2, −1.3, −1.3
        double[] values = {2, 0, 1, 4};
        double[] expected = {0.0, 0.0, 0.0, 0.85 + 1.3};
        for (int i = 0; i < values.length; i++) {
            assertFalse(ph.update(values[i]));
            assertEquals(expected[i], ph.statistic(), 1e-12, "statistic after value " + (i + 1));
        }
        assertEquals(1.75, ph.mean(), 1e-15);
    }

    @Test
    void detectsWhenTheStatisticExceedsTheThresholdAndResets() {
        PageHinkley ph = detector(Direction.INCREASE, 1, 0.0, 2.0, 1.0);
        // m = 0, 0, 0, 2.25 (mean 0.75): 2.25 > 2
        assertFalse(ph.update(0));
        assertFalse(ph.update(0));
        assertFalse(ph.update(0));
        assertTrue(ph.update(3));
        assertEquals(2.25, ph.statistic(), 1e-15, "the statistic that fired survives the reset");
        assertEquals(0, ph.sinceReset());
        assertEquals(0.0, ph.mean());
        assertEquals(4, ph.seen(), "seen counts across resets");
        // the new regime is the reference now: more 3s are no change
        for (int i = 0; i < 100; i++) {
            assertFalse(ph.update(3), "value " + i + " after the reset");
        }
    }

    @Test
    void minInstancesHoldsOffDetectionsAfterAReset() {
        PageHinkley ph = detector(Direction.INCREASE, 30, 0.0, 1.0, 1.0);
        for (int i = 0; i < 10; i++) {
            assertFalse(ph.update(0));
        }
        int detectedAt = -1;
        for (int i = 10; i < 40 && detectedAt < 0; i++) {
            if (ph.update(10)) {
                detectedAt = i;
            }
        }
        // the statistic is above 1 from the 11th value on, but the 30th is the first that may fire
        assertEquals(29, detectedAt);
    }

    @Test
    void increaseIgnoresAFallingLossThatBothAndDecreaseReport() {
        double[] falling = new double[2_000];
        for (int t = 0; t < falling.length; t++) {
            falling[t] = t < 1_000 ? 1.0 : 0.0;
        }
        assertEquals(-1, firstDetection(detector(Direction.INCREASE, 30, 0.05, 30, 1.0), falling));
        int both = firstDetection(detector(Direction.BOTH, 30, 0.05, 30, 1.0), falling);
        int decrease = firstDetection(detector(Direction.DECREASE, 30, 0.05, 30, 1.0), falling);
        assertTrue(both > 1_000 && both < 1_100, "both detects the fall at " + both);
        assertEquals(both, decrease);
        double[] rising = new double[2_000];
        for (int t = 0; t < rising.length; t++) {
            rising[t] = 1.0 - falling[t];
        }
        assertEquals(-1, firstDetection(detector(Direction.DECREASE, 30, 0.05, 30, 1.0), rising));
        assertEquals(firstDetection(detector(Direction.INCREASE, 30, 0.05, 30, 1.0), rising),
                firstDetection(detector(Direction.BOTH, 30, 0.05, 30, 1.0), rising));
    }

    @Test
    void withRiversParametersDetectsWhereRiversDocstringExampleDoes() {
        double[] stream = LossStreams.riverDocstring();
        assertEquals(2_000, stream.length);
        for (Direction direction : Direction.values()) {
            if (direction == Direction.DECREASE) {
                continue;
            }
            PageHinkley ph = detector(direction, 30, 0.005, 50, 1 - 0.0001);
            assertEquals(1006, firstDetection(ph, stream), direction.id());
        }
    }

    /**
     * The reason for the defaults: on the log-loss of a noisy classifier (σ ≈ 0.55) over a million
     * stable samples, River's δ = 0.005, λ = 50, α = 1 − 0.0001 alarm every few ten thousand samples;
     * so does the forgetting factor alone; the defaults hardly ever.
     */
    @Test
    void defaultsStayQuietOnALongStableNoisyLossWhereRiversParametersAndForgettingDoNot() {
        double[] loss = LossStreams.logisticRegression(1_000, 1_000_000, 0.05, 3.0, Integer.MAX_VALUE);
        int defaults = detections(new PageHinkley(), loss);
        int river = detections(detector(Direction.INCREASE, 30, 0.005, 50, 1 - 0.0001), loss);
        int forgetting = detections(new PageHinkley(DriftSettings.defaults(PageHinkley.ID).with("alpha", 1 - 0.0001)), loss);
        assertTrue(defaults <= 5, "defaults: " + defaults + " false alarms in 1,000,000 stable samples");
        assertTrue(river >= 30, "River's parameters: " + river + " false alarms");
        assertTrue(forgetting >= 30, "defaults with α = 1 − 0.0001: " + forgetting + " false alarms");
    }

    @Test
    void refusesANonFiniteValueAndKeepsItsState() {
        PageHinkley ph = new PageHinkley();
        for (int i = 0; i < 50; i++) {
            ph.update(0.1 * (i % 3));
        }
        byte[] before = ph.encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ph.update(Double.NaN));
        assertEquals("drift detector page-hinkley was fed a non-finite value NaN after 50 values", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ph.update(Double.POSITIVE_INFINITY));
        assertArrayEquals(before, ph.encode());
    }

    @Test
    void updatesWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PageHinkley ph = new PageHinkley();
        SplittableRandom random = new SplittableRandom(3);
        double[] values = new double[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        int detections = 0;
        for (double v : values) {
            detections += ph.update(v) ? 1 : 0;
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (double v : values) {
            detections += ph.update(v) ? 1 : 0;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // a single boxed double per update would be 1.6 MB
        assertTrue(allocated < 10_000, allocated + " bytes allocated over 100,000 updates (" + detections + " detections)");
    }

    private static int firstDetection(DriftDetector d, double[] values) {
        for (int t = 0; t < values.length; t++) {
            if (d.update(values[t])) {
                return t;
            }
        }
        return -1;
    }

    private static int detections(DriftDetector d, double[] values) {
        int n = 0;
        for (double v : values) {
            n += d.update(v) ? 1 : 0;
        }
        return n;
    }
}
