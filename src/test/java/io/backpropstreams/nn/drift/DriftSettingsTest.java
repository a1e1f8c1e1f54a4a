package io.backpropstreams.nn.drift;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Defaults, parameters by spec name, and validation messages that name the offending value. */
class DriftSettingsTest {

    @Test
    void defaultsAreRiversButForPageHinkleysDeltaThresholdAndForgettingAndTheDirection() {
        DriftSettings ph = DriftSettings.defaults("page-hinkley");
        assertEquals(new DriftSettings("page-hinkley", Direction.INCREASE, 30, 0.05, 30.0, 1.0, 0, 0, 0, 0), ph);
        assertEquals(Map.of("minInstances", 30.0, "delta", 0.05, "threshold", 30.0, "alpha", 1.0), ph.parameters());
        assertEquals(List.of("minInstances", "delta", "threshold", "alpha"), List.copyOf(ph.parameters().keySet()));
        DriftSettings adwin = DriftSettings.defaults(" ADWIN ");
        assertEquals(new DriftSettings("adwin", Direction.INCREASE, 0, 0.002, 0.0, 0.0, 32, 5, 5, 10), adwin);
        assertEquals(List.of("delta", "clock", "maxBuckets", "minWindowLength", "gracePeriod"), List.copyOf(adwin.parameters().keySet()));
        assertInstanceOf(PageHinkley.class, ph.newDetector());
        assertInstanceOf(Adwin.class, adwin.newDetector());
        assertEquals(ph, ph.newDetector().settings());
        assertEquals("adwin", adwin.newDetector().id());
    }

    @Test
    void parametersAreSetBySpecName() {
        DriftSettings s = DriftSettings.defaults("adwin").with("delta", 0.01).with("clock", 16).withDirection(Direction.BOTH);
        assertEquals(new DriftSettings("adwin", Direction.BOTH, 0, 0.01, 0.0, 0.0, 16, 5, 5, 10), s);
        DriftSettings p = DriftSettings.defaults("page-hinkley").with("threshold", 80).with("minInstances", 100).with("alpha", 0.999);
        assertEquals(new DriftSettings("page-hinkley", Direction.INCREASE, 100, 0.05, 80.0, 0.999, 0, 0, 0, 0), p);
        assertEquals(Direction.BOTH, Direction.parse(" Both"));
    }

    @Test
    void invalidSettingsNameTheOffendingValue() {
        DriftSettings ph = DriftSettings.defaults("page-hinkley");
        DriftSettings adwin = DriftSettings.defaults("adwin");
        rejects("drift threshold must be > 0, got -1", () -> ph.with("threshold", -1));
        rejects("drift threshold must be > 0, got NaN", () -> ph.with("threshold", Double.NaN));
        rejects("drift delta and threshold must be at most 1e100, got 0.05 and Infinity", () -> ph.with("threshold", Double.POSITIVE_INFINITY));
        rejects("drift delta must be ≥ 0, got -0.5", () -> ph.with("delta", -0.5));
        rejects("drift alpha must be in (0, 1], got 1.5", () -> ph.with("alpha", 1.5));
        rejects("drift alpha must be in (0, 1], got 0", () -> ph.with("alpha", 0));
        rejects("drift minInstances must be ≥ 1, got 0", () -> ph.with("minInstances", 0));
        rejects("drift minInstances must be a whole number, got 2.5", () -> ph.with("minInstances", 2.5));
        rejects("drift delta must be in (0, 1) for adwin (a confidence), got 1", () -> adwin.with("delta", 1));
        rejects("drift delta must be in (0, 1) for adwin (a confidence), got 0", () -> adwin.with("delta", 0));
        rejects("drift clock must be ≥ 1, got 0", () -> adwin.with("clock", 0));
        rejects("drift maxBuckets must be in [1, 10000], got -3", () -> adwin.with("maxBuckets", -3));
        rejects("drift minWindowLength must be in [1, 1000000], got 0", () -> adwin.with("minWindowLength", 0));
        rejects("drift gracePeriod must be in [0, 1000000], got -1", () -> adwin.with("gracePeriod", -1));
        rejects("drift gracePeriod must be at most 2147483647, got 10000000000", () -> adwin.with("gracePeriod", 1e10));
        rejects("drift clock must be a whole number, got NaN", () -> adwin.with("clock", Double.NaN));
        rejects("drift clock must be at most 1000000, got 1000001", () -> adwin.with("clock", 1_000_001));
        rejects("drift maxBuckets must be in [1, 10000], got 10001", () -> adwin.with("maxBuckets", 10_001));
        rejects("drift delta and threshold must be at most 1e100, got 1.0E101 and 30", () -> ph.with("delta", 1e101));
        rejects("drift parameter 'clock' does not apply to page-hinkley; expected one of direction, minInstances, delta, threshold, alpha",
                () -> ph.with("clock", 32));
        rejects("drift parameter 'threshold' does not apply to adwin; expected one of direction, delta, clock, maxBuckets, minWindowLength, gracePeriod",
                () -> adwin.with("threshold", 50));
        rejects("drift parameter clock does not apply to page-hinkley and must be 0, got 32",
                () -> new DriftSettings("page-hinkley", Direction.INCREASE, 30, 0.05, 30, 1, 32, 0, 0, 0));
        rejects("drift parameter alpha does not apply to adwin and must be 0, got 1",
                () -> new DriftSettings("adwin", Direction.INCREASE, 0, 0.002, 0, 1, 32, 5, 5, 10));
        rejects("unknown drift detector 'cusum', expected page-hinkley or adwin", () -> DriftSettings.defaults("cusum"));
        rejects("unknown drift detector 'ADWIN', expected page-hinkley or adwin",
                () -> new DriftSettings("ADWIN", Direction.INCREASE, 0, 0.002, 0, 0, 32, 5, 5, 10));
        rejects("unknown drift direction 'up', expected increase, decrease or both", () -> Direction.parse("up"));
        rejects("settings are for adwin, not page-hinkley", () -> new PageHinkley(adwin));
    }

    private static void rejects(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
