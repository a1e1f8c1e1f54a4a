package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.backpropstreams.nn.Activation.LINEAR;
import static io.backpropstreams.nn.Activation.RELU;
import static io.backpropstreams.nn.Activation.SIGMOID;
import static io.backpropstreams.nn.Activation.SOFTMAX;
import static io.backpropstreams.nn.Activation.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks {@link Network#gradient} against central differences of {@link Network#loss} on random
 * networks of several shapes, activations and both losses.
 *
 * <p>With a step {@code h = 1e-6·max(1,|p|)} the central difference has truncation error
 * {@code O(h²)} (≈1e-12 here) and rounding error ≈ {@code ε_mach·|E|/h} (≈2e-10·|E|). The check
 * therefore accepts {@code |analytic − numeric| ≤ 1e-6·(|analytic| + |numeric|) + 1e-8·max(1, |E|)}:
 * a relative bound for the ordinary entries plus a floor, scaled by the loss, for entries whose
 * true value is (near) zero. A 1 % error in any entry larger than ~1e-5 is far outside it.
 */
class GradientCheckTest {

    private static final double RELATIVE = 1e-6;
    private static final double FLOOR = 1e-8;
    /** ReLU is not differentiable at 0: no ReLU net input may lie this close to it. */
    private static final double KINK_MARGIN = 1e-4;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("[3,5,4,2] tanh-sigmoid-linear, squared, xavier",
                        List.of(3, 5, 4, 2), List.of(TANH, SIGMOID, LINEAR), Loss.SQUARED_ERROR, false, 11L),
                Arguments.of("[4,6,3] relu-sigmoid, cross-entropy, he",
                        List.of(4, 6, 3), List.of(RELU, SIGMOID), Loss.CROSS_ENTROPY, true, 7L),
                Arguments.of("[2,7,5,3,2] tanh-relu-linear-sigmoid, cross-entropy, xavier",
                        List.of(2, 7, 5, 3, 2), List.of(TANH, RELU, LINEAR, SIGMOID), Loss.CROSS_ENTROPY, false, 3L),
                Arguments.of("[5,8,6,4] sigmoid-tanh-linear, squared, he",
                        List.of(5, 8, 6, 4), List.of(SIGMOID, TANH, LINEAR), Loss.SQUARED_ERROR, true, 5L),
                Arguments.of("[3,6,5,4,3] relu-relu-tanh-sigmoid, squared, he",
                        List.of(3, 6, 5, 4, 3), List.of(RELU, RELU, TANH, SIGMOID), Loss.SQUARED_ERROR, true, 19L),
                Arguments.of("[6,4,4,1] linear-tanh-sigmoid, cross-entropy, xavier",
                        List.of(6, 4, 4, 1), List.of(LINEAR, TANH, SIGMOID), Loss.CROSS_ENTROPY, false, 23L),
                Arguments.of("[4,6,3] relu-softmax, categorical cross-entropy, he",
                        List.of(4, 6, 3), List.of(RELU, SOFTMAX), Loss.CATEGORICAL_CROSS_ENTROPY, true, 29L),
                Arguments.of("[5,7,4,10] tanh-sigmoid-softmax, categorical cross-entropy, xavier",
                        List.of(5, 7, 4, 10), List.of(TANH, SIGMOID, SOFTMAX), Loss.CATEGORICAL_CROSS_ENTROPY, false, 31L),
                Arguments.of("[3,2] softmax, categorical cross-entropy, xavier",
                        List.of(3, 2), List.of(SOFTMAX), Loss.CATEGORICAL_CROSS_ENTROPY, false, 37L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void backpropagatedGradientMatchesCentralDifferences(String name, List<Integer> layers, List<Activation> activations,
                                                         Loss loss, boolean he, long seed) {
        NetworkSpec spec = new NetworkSpec(layers, activations, loss, 0.1, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L);
        double[] params = initialParameters(spec, he, seed, random);

        double largest = 0;
        for (int sample = 0; sample < 3; sample++) {
            double[] x = uniform(random, spec.inputSize(), -1, 1);
            double[] t = loss == Loss.CATEGORICAL_CROSS_ENTROPY ? classTarget(random, spec.outputSize(), sample)
                    : loss == Loss.CROSS_ENTROPY || activations.get(activations.size() - 1) == SIGMOID
                    ? uniform(random, spec.outputSize(), 0.05, 0.95)
                    : uniform(random, spec.outputSize(), -1, 1);
            Network net = new Network(spec, params);
            double[] analytic = new double[params.length];
            double e = net.gradient(x, t, analytic);
            assertAwayFromReluKinks(net, spec, name + " sample " + sample);
            assertEquals(net.loss(x, t), e, 0.0, "gradient() returns the loss");
            double[] numeric = centralDifferences(spec, params, x, t);
            assertGradientsAgree(analytic, numeric, e, name + " sample " + sample);
            for (double g : analytic) {
                largest = Math.max(largest, Math.abs(g));
            }
        }
        assertTrue(largest > 1e-3, "the check is not vacuous: largest |∂E/∂p| = " + largest);
    }

    @Test
    void gradientIncludesFrozenBiasEntries() {
        NetworkSpec spec = new NetworkSpec(List.of(3, 4, 2), List.of(TANH, SIGMOID), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, false, Optimizer.SGD, 0.0);
        SplittableRandom random = new SplittableRandom(99);
        double[] params = initialParameters(spec, false, 99, random);
        double[] x = uniform(random, 3, -1, 1);
        double[] t = uniform(random, 2, 0.05, 0.95);
        Network net = new Network(spec, params);
        double[] analytic = new double[params.length];
        double e = net.gradient(x, t, analytic);
        assertGradientsAgree(analytic, centralDifferences(spec, params, x, t), e, "frozen biases");
        ParameterLayout layout = net.layout();
        for (int l = 1; l <= layout.depth(); l++) {
            for (int j = 0; j < layout.size(l); j++) {
                assertTrue(analytic[layout.biasOffset(l) + j] != 0.0, "∂E/∂b" + l + "[" + j + "] is reported");
            }
        }
    }

    @Test
    void toleranceRejectsAOnePercentError() {
        NetworkSpec spec = new NetworkSpec(List.of(3, 5, 4, 2), List.of(TANH, SIGMOID, LINEAR), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        SplittableRandom random = new SplittableRandom(5);
        double[] params = initialParameters(spec, false, 5, random);
        double[] x = uniform(random, 3, -1, 1);
        double[] t = uniform(random, 2, -1, 1);
        double[] analytic = new double[params.length];
        double e = new Network(spec, params).gradient(x, t, analytic);
        double[] numeric = centralDifferences(spec, params, x, t);
        int k = largestEntry(analytic);
        analytic[k] *= 1.01;
        assertTrue(firstDisagreement(analytic, numeric, e) == k, "a 1% error in entry " + k + " is detected");
    }

    // ------------------------------------------------------------------------------------------

    private static double[] initialParameters(NetworkSpec spec, boolean he, long seed, SplittableRandom random) {
        double[] p = he ? Initializers.he(spec, seed) : Initializers.xavier(spec, seed);
        ParameterLayout layout = new ParameterLayout(spec.layers());
        for (int l = 1; l <= layout.depth(); l++) {
            for (int j = 0; j < layout.size(l); j++) {
                p[layout.biasOffset(l) + j] = random.nextDouble(-0.5, 0.5);
            }
        }
        return p;
    }

    /** {@code ∂E/∂p_k ≈ (E(p + h·e_k) − E(p − h·e_k)) / 2h}, {@code h = 1e-6·max(1, |p_k|)}, for every k. */
    static double[] centralDifferences(NetworkSpec spec, double[] params, double[] x, double[] t) {
        double[] numeric = new double[params.length];
        for (int k = 0; k < params.length; k++) {
            double h = 1e-6 * Math.max(1.0, Math.abs(params[k]));
            double[] plus = params.clone();
            double[] minus = params.clone();
            plus[k] += h;
            minus[k] -= h;
            double ePlus = new Network(spec, plus).loss(x, t);
            double eMinus = new Network(spec, minus).loss(x, t);
            numeric[k] = (ePlus - eMinus) / (plus[k] - minus[k]);
        }
        return numeric;
    }

    private static void assertGradientsAgree(double[] analytic, double[] numeric, double loss, String what) {
        int bad = firstDisagreement(analytic, numeric, loss);
        if (bad >= 0) {
            fail(what + ": ∂E/∂p[" + bad + "] is " + analytic[bad] + " by backpropagation but " + numeric[bad]
                    + " by central differences (tolerance " + tolerance(analytic[bad], numeric[bad], loss) + ")");
        }
    }

    private static int firstDisagreement(double[] analytic, double[] numeric, double loss) {
        assertEquals(numeric.length, analytic.length);
        for (int k = 0; k < analytic.length; k++) {
            if (!(Math.abs(analytic[k] - numeric[k]) <= tolerance(analytic[k], numeric[k], loss))) {
                return k;
            }
        }
        return -1;
    }

    private static double tolerance(double a, double n, double loss) {
        return RELATIVE * (Math.abs(a) + Math.abs(n)) + FLOOR * Math.max(1.0, Math.abs(loss));
    }

    private static void assertAwayFromReluKinks(Network net, NetworkSpec spec, String what) {
        for (int l = 1; l <= spec.depth(); l++) {
            if (spec.activations().get(l - 1) != RELU) {
                continue;
            }
            double[] z = net.netInput(l);
            for (int j = 0; j < z.length; j++) {
                assertTrue(Math.abs(z[j]) >= KINK_MARGIN, what + ": ReLU net input " + l + "[" + j + "] = " + z[j]
                        + " is too close to the kink for a finite-difference check; pick another seed");
            }
        }
    }

    private static int largestEntry(double[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (Math.abs(v[k]) > Math.abs(v[best])) {
                best = k;
            }
        }
        return best;
    }

    /** One-hot for the first samples, then a soft label (a probability vector), which the delta o·Σt − t also covers. */
    private static double[] classTarget(SplittableRandom random, int n, int sample) {
        double[] t = new double[n];
        if (sample < 2) {
            t[random.nextInt(n)] = 1.0;
            return t;
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            t[j] = random.nextDouble(0.1, 1.0);
            sum += t[j];
        }
        for (int j = 0; j < n; j++) {
            t[j] /= sum;
        }
        return t;
    }

    @Test
    void softmaxLossStaysFiniteWhenTheNetInputsAreHuge() {
        NetworkSpec spec = new NetworkSpec(List.of(1, 3), List.of(SOFTMAX), Loss.CATEGORICAL_CROSS_ENTROPY, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        // net inputs 900, −900 and 0: e^900 overflows, the shifted form does not
        Network net = new Network(spec, new double[] {900, -900, 0, 0, 0, 0});
        double[] out = new double[3];
        net.predict(new double[] {1.0}, out);
        assertEquals(1.0, out[0], 0.0);
        assertEquals(0.0, out[1], 0.0);
        assertEquals(1800.0, net.loss(new double[] {1.0}, new double[] {0, 1, 0}), 1e-9, "−ln o₁ = z₀ − z₁");
        assertEquals(0.0, net.loss(new double[] {1.0}, new double[] {1, 0, 0}), 1e-12);
    }

    private static double[] uniform(SplittableRandom random, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(lo, hi);
        }
        return v;
    }
}
