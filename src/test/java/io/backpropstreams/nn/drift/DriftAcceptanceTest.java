package io.backpropstreams.nn.drift;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product's acceptance bound for both detectors with their defaults: a loss stream whose
 * concept switches abruptly at step 5,000 gets a detection within 500 steps of the switch, and at
 * most one false alarm in the 5,000 steps before it, for every one of 20 seeds.
 *
 * <p>The streams: a synthetic per-sample loss (mean 0.05, then 0.75), and the prequential
 * log-loss of an online logistic regression whose labels flip at 5,000 — once with clear labels
 * ({@code |w*| = 3}, learning rate 0.05), once with weak ones ({@code |w*| = 1.5}, 0.02), where
 * the loss rises from ≈ 0.54 to ≈ 1.2 and is back within ≈ 300 steps as the learner re-learns.
 * The learning phase at the start of the logistic streams counts as stable: a detector that
 * reported the falling loss there would fail.
 */
class DriftAcceptanceTest {

    private static final int SEEDS = 20;
    private static final int MAX_DELAY = 500;
    private static final int LENGTH = LossStreams.SWITCH + 1_000;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String detector : DriftSettings.DETECTORS) {
            cases.add(Arguments.of(detector, "synthetic loss 0.05 → 0.75",
                    (LongFunction<double[]>) seed -> LossStreams.synthetic(seed, LENGTH, LossStreams.SWITCH)));
            cases.add(Arguments.of(detector, "logistic regression, |w*| 3, η 0.05, labels flip",
                    (LongFunction<double[]>) seed -> LossStreams.logisticRegression(seed, LENGTH, 0.05, 3.0, LossStreams.SWITCH)));
            cases.add(Arguments.of(detector, "logistic regression, |w*| 1.5, η 0.02, labels flip",
                    (LongFunction<double[]>) seed -> LossStreams.logisticRegression(seed, LENGTH, 0.02, 1.5, LossStreams.SWITCH)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void detectsAnAbruptSwitchWithin500StepsWithAtMostOneFalseAlarmBeforeIt(String detector, String stream,
                                                                           LongFunction<double[]> losses) {
        int[] delays = new int[SEEDS];
        int[] falseAlarms = new int[SEEDS];
        for (int seed = 0; seed < SEEDS; seed++) {
            DriftDetector d = DriftSettings.defaults(detector).newDetector();
            double[] loss = losses.apply(seed);
            delays[seed] = -1;
            for (int t = 0; t < loss.length; t++) {
                if (d.update(loss[t])) {
                    if (t < LossStreams.SWITCH) {
                        falseAlarms[seed]++;
                    } else if (delays[seed] < 0) {
                        delays[seed] = t - LossStreams.SWITCH;
                    }
                }
            }
        }
        String figures = "delays " + Arrays.toString(delays) + ", false alarms " + Arrays.toString(falseAlarms);
        for (int seed = 0; seed < SEEDS; seed++) {
            assertTrue(delays[seed] >= 0 && delays[seed] < MAX_DELAY,
                    "seed " + seed + ": no detection within " + MAX_DELAY + " steps of the switch; " + figures);
            assertTrue(falseAlarms[seed] <= 1, "seed " + seed + ": " + falseAlarms[seed] + " false alarms; " + figures);
        }
    }
}
