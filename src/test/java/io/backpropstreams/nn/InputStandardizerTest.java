package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Online standardisation: Welford's statistics, and a network that trains and predicts on the standardised input. */
class InputStandardizerTest {

    @Test
    void welfordMeansAndVariancesMatchTheTwoPassFormulas() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 2_000;
        double[][] xs = new double[n][3];
        InputStandardizer s = new InputStandardizer(3);
        for (double[] x : xs) {
            x[0] = 1e6 + r.nextGaussian();      // a large offset, where the naive Σx² formula loses its digits
            x[1] = 5 * r.nextDouble();
            x[2] = -3.0;                        // constant: σ = 0, standardised to 0
            s.learn(x);
        }
        for (int i = 0; i < 3; i++) {
            double mean = 0;
            for (double[] x : xs) {
                mean += x[i];
            }
            mean /= n;
            double var = 0;
            for (double[] x : xs) {
                var += (x[i] - mean) * (x[i] - mean);
            }
            var /= n;
            assertEquals(mean, s.mean()[i], 1e-9 * Math.max(1, Math.abs(mean)), "mean " + i);
            assertEquals(var, s.m2()[i] / n, 1e-9 * Math.max(1, var), "variance " + i);
        }
        double[] z = new double[3];
        s.transform(new double[] {s.mean()[0] + Math.sqrt(s.m2()[0] / n), s.mean()[1], -3.0}, z);
        assertEquals(1.0, z[0], 1e-9);
        assertEquals(0.0, z[1], 1e-12);
        assertEquals(0.0, z[2], 0.0);
        assertEquals(n, s.count());
    }

    @Test
    void aStandardisingNetworkTrainsAsAPlainNetworkOnTheStandardisedInputs() {
        NetworkSpec plain = new NetworkSpec(List.of(2, 3, 1), List.of(Activation.TANH, Activation.LINEAR), Loss.SQUARED_ERROR, 0.05,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        NetworkSpec standardising = plain.withStandardizeInputs(true);
        double[] p0 = Initializers.xavier(plain, 5);
        Network a = new Network(standardising, p0);
        Network b = new Network(plain, p0);
        InputStandardizer reference = new InputStandardizer(2);
        SplittableRandom r = new SplittableRandom(9);
        double[] z = new double[2];
        for (int k = 0; k < 300; k++) {
            double[] x = {100 + 10 * r.nextGaussian(), 0.001 * r.nextGaussian()};
            double[] t = {Math.signum(x[0] - 100) * 0.5};
            reference.learn(x);
            reference.transform(x, z);
            assertEquals(b.step(z.clone(), t), a.step(x, t), 0.0, "loss at step " + (k + 1));
        }
        assertArrayEquals(b.parameters(), a.parameters(), 0.0);
        double[] outA = new double[1];
        double[] outB = new double[1];
        double[] x = {104.0, 0.002};
        a.predict(x, outA);
        reference.transform(x, z);
        b.predict(z, outB);
        assertArrayEquals(outB, outA, 0.0, "predictions standardise with the statistics as they are");
        assertEquals(300, a.standardizer().count(), "predict does not learn");
        Network restored = NetworkCodec.decode(NetworkCodec.encode(a));
        assertArrayEquals(a.standardizer().mean(), restored.standardizer().mean(), 0.0);
        assertArrayEquals(a.standardizer().m2(), restored.standardizer().m2(), 0.0);
    }

    @Test
    void finiteInputsWhoseStatisticsWouldOverflowAreRefusedAndChangeNothing() {
        NetworkSpec spec = new NetworkSpec(List.of(1, 1), List.of(Activation.LINEAR), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.ADAM, 0.0).withStandardizeInputs(true);
        Network net = new Network(spec, new double[] {0.5, 0.0});
        net.step(new double[] {1e200}, new double[] {0.0});
        byte[] before = NetworkCodec.encode(net);
        // (0 − 5e199)·(0 − 1e200) overflows the sum of squares although the input is finite
        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(new double[] {-1e200}, new double[] {0.0}));
        assertTrue(e.getMessage().contains("running mean or variance non-finite"), e.getMessage());
        assertArrayEquals(before, NetworkCodec.encode(net), "statistics, parameters and step as they were; the state still encodes");
        net.step(new double[] {1e200}, new double[] {0.0});
        assertEquals(2, net.standardizer().count(), "an input the statistics can hold is still trained");
    }

    @Test
    void aRefusedStepLeavesTheStatisticsAsTheyWere() {
        NetworkSpec spec = new NetworkSpec(List.of(1, 1), List.of(Activation.LINEAR), Loss.SQUARED_ERROR, 1e308,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0).withStandardizeInputs(true);
        Network net = new Network(spec, new double[] {1.0, 0.0});
        net.step(new double[] {1.0}, new double[] {0.0});
        net.step(new double[] {3.0}, new double[] {0.0});
        byte[] before = NetworkCodec.encode(net);
        assertThrows(StepRejectedException.class, () -> net.step(new double[] {2.0}, new double[] {1e300}));
        assertArrayEquals(before, NetworkCodec.encode(net));
    }
}
