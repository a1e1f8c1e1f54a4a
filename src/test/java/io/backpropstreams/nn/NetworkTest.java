package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.backpropstreams.nn.Activation.LINEAR;
import static io.backpropstreams.nn.Activation.RELU;
import static io.backpropstreams.nn.Activation.SIGMOID;
import static io.backpropstreams.nn.Activation.TANH;
import static io.backpropstreams.nn.LectureGoldenTest.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the numeric core: updates, optimizer state, validation, overflow refusal. */
class NetworkTest {

    /** A power of two, so {@code (η·δ)·a} and {@code η·(δ·a)} round identically and updates can be compared bit for bit. */
    private static final double ETA = 0.25;

    // ============================================ updates ========================================

    @Test
    void simultaneousSgdStepSubtractsLearningRateTimesTrueGradient() {
        NetworkSpec spec = spec(List.of(4, 6, 5, 3), List.of(TANH, RELU, SIGMOID), Loss.SQUARED_ERROR, ETA,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        SplittableRandom random = new SplittableRandom(42);
        Network net = new Network(spec, randomParameters(spec, 42, random));
        int mostNonZero = 0;
        for (int s = 0; s < 5; s++) {
            double[] x = uniform(random, 4, -1, 1);
            double[] t = uniform(random, 3, 0.05, 0.95);
            double[] p = net.parameters();
            double[] g = new double[p.length];
            net.copy().gradient(x, t, g);
            double[] expected = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                expected[k] = p[k] - ETA * g[k];
            }
            net.step(x, t);
            assertBitIdentical(expected, net.parameters(), "parameters after step " + (s + 1));
            mostNonZero = Math.max(mostNonZero, nonZeroCount(g));
        }
        assertTrue(mostNonZero >= 20, "the steps are not vacuous: at most " + mostNonZero + " non-zero gradient entries");
    }

    @Test
    void momentumStepsFollowVelocityRecurrence() {
        double mu = 0.9;
        NetworkSpec spec = spec(List.of(3, 5, 2), List.of(TANH, SIGMOID), Loss.CROSS_ENTROPY, ETA,
                UpdateRule.SIMULTANEOUS, true, Optimizer.MOMENTUM, mu);
        SplittableRandom random = new SplittableRandom(8);
        double[] p0 = randomParameters(spec, 8, random);
        double[] x = uniform(random, 3, -1, 1);
        double[] t = uniform(random, 2, 0.05, 0.95);
        Network net = new Network(spec, p0);
        assertBitIdentical(new double[p0.length], net.velocity(), "initial velocity");

        int n = p0.length;
        double[] g1 = new double[n];
        new Network(spec, p0).gradient(x, t, g1);
        double[] v1 = new double[n];
        double[] p1 = new double[n];
        for (int k = 0; k < n; k++) {
            v1[k] = mu * 0.0 - ETA * g1[k];
            p1[k] = p0[k] + v1[k];
        }
        net.step(x, t);
        assertBitIdentical(v1, net.velocity(), "velocity after step 1");
        assertBitIdentical(p1, net.parameters(), "parameters after step 1");

        double[] g2 = new double[n];
        new Network(spec, p1).gradient(x, t, g2);
        double[] v2 = new double[n];
        double[] p2 = new double[n];
        for (int k = 0; k < n; k++) {
            v2[k] = mu * v1[k] - ETA * g2[k];
            p2[k] = p1[k] + v2[k];
        }
        net.step(x, t);
        assertBitIdentical(v2, net.velocity(), "velocity after step 2");
        assertBitIdentical(p2, net.parameters(), "parameters after step 2");
        // momentum really carries: step 2 differs from a plain SGD step from p1
        assertNotEquals(p1[0] - ETA * g2[0], p2[0]);
    }

    @Test
    void sgdNetworkHasNoVelocity() {
        assertNull(Lecture.network().velocity());
    }

    static Stream<Arguments> rulesAndOptimizers() {
        return Stream.of(
                Arguments.of(UpdateRule.SIMULTANEOUS, Optimizer.SGD),
                Arguments.of(UpdateRule.SIMULTANEOUS, Optimizer.MOMENTUM),
                Arguments.of(UpdateRule.SEQUENTIAL, Optimizer.SGD),
                Arguments.of(UpdateRule.SEQUENTIAL, Optimizer.MOMENTUM));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rulesAndOptimizers")
    void frozenBiasesStayBitIdenticalWhileTrainedBiasesMove(UpdateRule rule, Optimizer optimizer) {
        for (boolean train : new boolean[] {false, true}) {
            NetworkSpec spec = spec(List.of(3, 4, 4, 2), List.of(TANH, SIGMOID, SIGMOID), Loss.SQUARED_ERROR, 0.5,
                    rule, train, optimizer, optimizer == Optimizer.MOMENTUM ? 0.5 : 0.0);
            SplittableRandom random = new SplittableRandom(17);
            double[] p0 = randomParameters(spec, 17, random);
            Network net = new Network(spec, p0);
            for (int s = 0; s < 50; s++) {
                net.step(uniform(random, 3, -1, 1), uniform(random, 2, 0.05, 0.95));
            }
            for (int l = 1; l <= 3; l++) {
                double[] initial = Arrays.copyOfRange(p0, net.layout().biasOffset(l), net.layout().biasOffset(l) + net.layout().size(l));
                double[] now = net.biases(l);
                if (train) {
                    for (int j = 0; j < now.length; j++) {
                        assertNotEquals(initial[j], now[j], "trained bias " + l + "[" + j + "] moved");
                    }
                } else {
                    assertBitIdentical(initial, now, "frozen biases of layer " + l);
                }
                assertFalse(Arrays.equals(Arrays.copyOfRange(p0, net.layout().weightOffset(l),
                        net.layout().weightOffset(l) + net.layout().weightCount(l)), net.weights(l)), "weights of layer " + l + " moved");
            }
            if (optimizer == Optimizer.MOMENTUM && !train) {
                double[] v = net.velocity();
                for (int l = 1; l <= 3; l++) {
                    for (int j = 0; j < net.layout().size(l); j++) {
                        assertEquals(0L, Double.doubleToRawLongBits(v[net.layout().biasOffset(l) + j]), "frozen bias velocity stays +0.0");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(UpdateRule.class)
    void stepReturnsLossBeforeUpdateAndKeepsPreUpdateOutputs(UpdateRule rule) {
        NetworkSpec spec = Lecture.spec(rule, true);
        Network net = Lecture.network(spec);
        for (int s = 0; s < 3; s++) {
            Network before = net.copy();
            double lossBefore = before.loss(Lecture.INPUT, Lecture.TARGET);
            double[] outBefore = new double[2];
            before.copyOutput(outBefore);

            double returned = net.step(Lecture.INPUT, Lecture.TARGET);
            double[] out = new double[2];
            net.copyOutput(out);
            assertEquals(lossBefore, returned, 0.0, "step returns the error before its update");
            assertArrayEquals(outBefore, out, 0.0, "copyOutput gives the outputs of the pre-update pass");

            double lossAfter = net.loss(Lecture.INPUT, Lecture.TARGET);
            assertTrue(lossAfter < returned, "the update lowered the error: " + lossAfter + " < " + returned);
        }
    }

    @Test
    void stepCountIncrementsByOnePerStepAndSurvivesCopy() {
        Network net = Lecture.network();
        assertEquals(0L, net.step());
        for (int s = 1; s <= 7; s++) {
            net.step(Lecture.INPUT, Lecture.TARGET);
            assertEquals(s, net.step());
        }
        net.loss(Lecture.INPUT, Lecture.TARGET);
        net.gradient(Lecture.INPUT, Lecture.TARGET, new double[12]);
        net.predict(Lecture.INPUT, new double[2]);
        assertEquals(7L, net.step(), "loss, gradient and predict do not count as steps");
        assertEquals(7L, net.copy().step());
        assertEquals(123L, new Network(net.spec(), net.parameters(), 123L, null).step());
    }

    @Test
    void copyIsIndependent() {
        Network net = Lecture.network(Lecture.spec(UpdateRule.SIMULTANEOUS, true).withOptimizer(Optimizer.MOMENTUM, 0.9));
        net.step(Lecture.INPUT, Lecture.TARGET);
        Network copy = net.copy();
        assertBitIdentical(net.parameters(), copy.parameters(), "copied parameters");
        assertBitIdentical(net.velocity(), copy.velocity(), "copied velocity");
        copy.step(Lecture.INPUT, Lecture.TARGET);
        assertEquals(1L, net.step());
        assertFalse(Arrays.equals(net.parameters(), copy.parameters()));
        assertFalse(Arrays.equals(net.velocity(), copy.velocity()));
    }

    @Test
    void parametersAreCopiedInAndOut() {
        double[] p = Lecture.initialParameters();
        Network net = Lecture.network(Lecture.spec(UpdateRule.SIMULTANEOUS, false));
        Network fromArray = new Network(net.spec(), p);
        p[0] = 99;
        assertEquals(0.15, fromArray.parameter(0), "the constructor copies its array");
        fromArray.parameters()[0] = 99;
        assertEquals(0.15, fromArray.parameter(0), "parameters() returns a copy");
    }

    @Test
    void weightsAreRowMajorOneRowPerReceivingNeuron() {
        NetworkSpec spec = spec(List.of(2, 2, 1), List.of(LINEAR, LINEAR), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, false, Optimizer.SGD, 0.0);
        double[] p = Initializers.explicit(spec,
                List.of(new double[] {1, 2, 3, 4}, new double[] {10, 100}),
                List.of(new double[] {0.5, -0.5}, new double[] {1}));
        assertArrayEquals(new double[] {1, 2, 3, 4, 0.5, -0.5, 10, 100, 1}, p, 0.0);
        Network net = new Network(spec, p);
        double[] out = new double[1];
        net.predict(new double[] {1, -1}, out);
        // h = (1·1 + 2·(−1) + 0.5, 3·1 + 4·(−1) − 0.5) = (−0.5, −1.5);  o = 10·(−0.5) + 100·(−1.5) + 1
        assertArrayEquals(new double[] {-0.5, -1.5}, net.layerOutput(1), 0.0);
        assertEquals(-154.0, out[0], 0.0);
        assertArrayEquals(new double[] {1, 2, 3, 4}, net.weights(1), 0.0);
        assertArrayEquals(new double[] {0.5, -0.5}, net.biases(1), 0.0);
    }

    @Test
    void parameterLayoutPlacesEachLayersWeightsThenBiases() {
        ParameterLayout layout = new ParameterLayout(List.of(3, 5, 4, 2));
        assertEquals(3, layout.depth());
        assertEquals(0, layout.weightOffset(1));
        assertEquals(15, layout.biasOffset(1));
        assertEquals(20, layout.weightOffset(2));
        assertEquals(40, layout.biasOffset(2));
        assertEquals(44, layout.weightOffset(3));
        assertEquals(52, layout.biasOffset(3));
        assertEquals(54, layout.parameterCount());
        assertEquals(20, layout.weightCount(2));
        ParameterLayout lecture = new ParameterLayout(List.of(2, 2, 2));
        assertEquals(List.of(0, 4, 6, 10, 12), List.of(lecture.weightOffset(1), lecture.biasOffset(1),
                lecture.weightOffset(2), lecture.biasOffset(2), lecture.parameterCount()));
    }

    // ========================================= validation ========================================

    @Test
    void samplesOfTheWrongLengthAreRejectedWithTheirSizes() {
        Network net = Lecture.network();
        assertMessage(() -> net.step(new double[3], new double[2]), "input has 3 values, the network expects 2");
        assertMessage(() -> net.step(new double[2], new double[1]), "target has 1 values, the network expects 2");
        assertMessage(() -> net.loss(new double[1], new double[2]), "input has 1 values, the network expects 2");
        assertMessage(() -> net.gradient(new double[2], new double[3], new double[12]), "target has 3 values, the network expects 2");
        assertMessage(() -> net.gradient(new double[2], new double[2], new double[11]), "gradient buffer has 11 values, expected 12");
        assertMessage(() -> net.predict(new double[4], new double[2]), "input has 4 values, the network expects 2");
        assertMessage(() -> net.predict(new double[2], new double[3]), "output buffer has 3 values, the network gives 2");
        assertMessage(() -> net.step(null, new double[2]), "input has 0 values, the network expects 2");
        assertEquals(0L, net.step());
        assertBitIdentical(Lecture.initialParameters(), net.parameters(), "parameters after rejected samples");
    }

    @Test
    void nonFiniteSampleValuesAreRejectedNamingTheEntry() {
        Network net = Lecture.network();
        assertMessage(() -> net.step(new double[] {0.1, Double.NaN}, Lecture.TARGET), "input[1] is NaN; values must be finite");
        assertMessage(() -> net.step(Lecture.INPUT, new double[] {Double.POSITIVE_INFINITY, 0}), "target[0] is Infinity; values must be finite");
        assertMessage(() -> net.loss(new double[] {Double.NEGATIVE_INFINITY, 0}, Lecture.TARGET), "input[0] is -Infinity");
        assertEquals(0L, net.step());
    }

    @Test
    void invalidSpecsAreRejectedNamingTheValue() {
        assertMessage(() -> NetworkSpec.of(List.of(2, 2), SIGMOID, -0.1), "learning rate must be a finite number ≥ 0, got -0.1");
        assertMessage(() -> NetworkSpec.of(List.of(2, 2), SIGMOID, Double.NaN), "learning rate must be a finite number ≥ 0, got NaN");
        assertMessage(() -> NetworkSpec.of(List.of(2, 2), SIGMOID, Double.POSITIVE_INFINITY), "got Infinity");
        assertMessage(() -> NetworkSpec.of(List.of(2, 0, 1), SIGMOID, 0.1), "layer 1 has 0 neurons; every layer needs at least 1");
        assertMessage(() -> NetworkSpec.of(List.of(2, 3, -4), SIGMOID, 0.1), "layer 2 has -4 neurons");
        assertMessage(() -> NetworkSpec.of(List.of(3), SIGMOID, 0.1), "a network needs at least 2 layers (input and output), got 1");
        assertMessage(() -> spec(List.of(2, 3, 1), List.of(SIGMOID), Loss.SQUARED_ERROR, 0.1, UpdateRule.SIMULTANEOUS, false, Optimizer.SGD, 0),
                "a network with 3 layers needs 2 activations, got 1");
        assertMessage(() -> spec(List.of(2, 3, 1), List.of(SIGMOID, TANH), Loss.CROSS_ENTROPY, 0.1, UpdateRule.SIMULTANEOUS, false, Optimizer.SGD, 0),
                "cross-entropy needs a sigmoid output layer, got tanh");
        assertMessage(() -> spec(List.of(2, 1), List.of(SIGMOID), Loss.SQUARED_ERROR, 0.1, UpdateRule.SIMULTANEOUS, false, Optimizer.MOMENTUM, 1.0),
                "momentum must be in [0, 1), got 1.0");
        assertMessage(() -> spec(List.of(2, 1), List.of(SIGMOID), Loss.SQUARED_ERROR, 0.1, UpdateRule.SIMULTANEOUS, false, Optimizer.MOMENTUM, -0.5),
                "momentum must be in [0, 1), got -0.5");
        assertMessage(() -> NetworkSpec.of(List.of(100_000, 100_000), SIGMOID, 0.1), "make 10,000,100,000 parameters");
        // a sum that wraps around in int arithmetic (2147483647 · 2147483648 < 0) must not slip under the limit
        assertMessage(() -> NetworkSpec.of(List.of(Integer.MAX_VALUE, Integer.MAX_VALUE), SIGMOID, 0.1),
                "make 4,611,686,016,279,904,256 parameters");
        assertMessage(() -> NetworkSpec.of(java.util.Collections.nCopies(100_000, 1), SIGMOID, 0.1),
                "a network may have at most 64 layers, got 100000");
        assertEquals(Long.MAX_VALUE, NetworkSpec.parameterCount(java.util.Collections.nCopies(64, Integer.MAX_VALUE)));
        // a valid zero learning rate is accepted
        assertEquals(0.0, NetworkSpec.of(List.of(2, 2), SIGMOID, 0.0).learningRate());
    }

    @Test
    void explicitParametersOfTheWrongShapeAreRejected() {
        NetworkSpec spec = NetworkSpec.of(List.of(2, 3, 1), SIGMOID, 0.1);
        assertMessage(() -> Initializers.explicit(spec, List.of(new double[5], new double[3]), null),
                "layer 1 weights have 5 values, shape [2, 3, 1] needs 3×2 = 6");
        assertMessage(() -> Initializers.explicit(spec, List.of(new double[6], new double[2]), null),
                "layer 2 weights have 2 values, shape [2, 3, 1] needs 1×3 = 3");
        assertMessage(() -> Initializers.explicit(spec, List.of(new double[6]), null), "weights must give 2 layers, got 1");
        assertMessage(() -> Initializers.explicit(spec, List.of(new double[6], new double[3]), List.of(new double[3], new double[2])),
                "layer 2 biases have 2 values, shape [2, 3, 1] needs 1");
        assertMessage(() -> Initializers.explicit(spec, List.of(new double[] {0, 0, Double.NaN, 0, 0, 0}, new double[3]), null),
                "layer 1 weights has a non-finite value NaN at index 2");
        assertMessage(() -> new Network(spec, new double[12]), "shape [2, 3, 1] has 13 parameters, got 12");
        double[] nan = new double[13];
        nan[4] = Double.NaN;
        assertMessage(() -> new Network(spec, nan), "parameter vector has a non-finite value NaN at index 4");
        assertMessage(() -> new Network(spec, new double[13], -1, null), "step count must be ≥ 0, got -1");
        NetworkSpec momentum = spec.withOptimizer(Optimizer.MOMENTUM, 0.9);
        assertMessage(() -> new Network(momentum, new double[13], 0, new double[3]), "velocity has 3 values, expected 13");
        double[] badVelocity = new double[13];
        badVelocity[12] = Double.POSITIVE_INFINITY;
        assertMessage(() -> new Network(momentum, new double[13], 0, badVelocity), "velocity has a non-finite value Infinity at index 12");
    }

    // ====================================== overflow refusal =====================================

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rulesAndOptimizers")
    void stepWhoseUpdateWouldOverflowIsRejectedAndChangesNothing(UpdateRule rule, Optimizer optimizer) {
        // tanh-linear 2-3-1 net, η = 1e300: a target 1e10 away makes η·δ overflow while the loss (~5e19) is finite.
        // It starts from the state of a few ordinary steps, so step count and velocity are not trivial.
        NetworkSpec ordinary = spec(List.of(2, 3, 1), List.of(TANH, LINEAR), Loss.SQUARED_ERROR, 0.1,
                rule, true, optimizer, optimizer == Optimizer.MOMENTUM ? 0.9 : 0.0);
        SplittableRandom random = new SplittableRandom(3);
        Network warm = new Network(ordinary, randomParameters(ordinary, 3, random));
        double[] x = {0.3, -0.7};
        for (int s = 0; s < 3; s++) {
            warm.step(x, new double[] {0.5});
        }
        Network net = new Network(ordinary.withLearningRate(1e300), warm.parameters(), warm.step(), warm.velocity());
        if (optimizer == Optimizer.MOMENTUM) {
            assertTrue(nonZeroCount(net.velocity()) > 0, "velocity is non-zero before the rejected step");
        }
        byte[] before = NetworkCodec.encode(net);
        double[] paramsBefore = net.parameters();
        double[] velocityBefore = net.velocity();

        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(x, new double[] {1e10}));
        assertTrue(e.getMessage().contains("step 4"), e.getMessage());
        assertEquals(3L, net.step(), "step count unchanged");
        assertBitIdentical(paramsBefore, net.parameters(), "parameters after the rejected step");
        if (velocityBefore != null) {
            assertBitIdentical(velocityBefore, net.velocity(), "velocity after the rejected step");
        }
        assertArrayEquals(before, NetworkCodec.encode(net), "the whole state is unchanged");

        // the network is still usable: a step with zero error is accepted and counted
        double[] out = new double[1];
        net.predict(x, out);
        net.step(x, out.clone());
        assertEquals(4L, net.step());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rulesAndOptimizers")
    void stepWhoseHiddenDeltaWouldOverflowIsRejected(UpdateRule rule, Optimizer optimizer) {
        // 1-1-1 linear: w1 = 1e-300, w2 = 1e300. The output is ~1 and the loss finite, but δ_h = w2·δ_o = 1e310.
        NetworkSpec spec = spec(List.of(1, 1, 1), List.of(LINEAR, LINEAR), Loss.SQUARED_ERROR, 0.1,
                rule, true, optimizer, optimizer == Optimizer.MOMENTUM ? 0.5 : 0.0);
        double[] p = {1e-300, 0.0, 1e300, 0.0};
        Network net = new Network(spec, p);
        double[] x = {1.0};
        double[] t = {-1e10};
        assertTrue(Double.isFinite(net.loss(x, t)));
        assertThrows(StepRejectedException.class, () -> net.step(x, t));
        assertEquals(0L, net.step());
        assertBitIdentical(p, net.parameters(), "parameters after the rejected step");
        if (optimizer == Optimizer.MOMENTUM) {
            assertBitIdentical(new double[4], net.velocity(), "velocity after the rejected step");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rulesAndOptimizers")
    void stepWhoseHiddenDeltaWouldBeNaNIsRejected(UpdateRule rule, Optimizer optimizer) {
        // 1-2-1 relu-linear. Hidden unit 0 is dead (net −1) with outgoing weight 1e295; δ_o ≈ 1e20 makes
        // W₂ᵀ·δ_o overflow to ∞ for it, and ∞·relu'(0) = NaN. Unit 1 is alive with a finite delta, so the
        // NaN is not the largest |δ| of its layer. (Regression: the simultaneous rule used to apply the
        // step, writing NaN into w1 and b1 and leaving a state NetworkCodec.decode refuses.)
        NetworkSpec spec = spec(List.of(1, 2, 1), List.of(RELU, LINEAR), Loss.SQUARED_ERROR, 0.1,
                rule, true, optimizer, optimizer == Optimizer.MOMENTUM ? 0.5 : 0.0);
        double[] p = {-1.0, 0.5, 0.0, 0.0, 1e295, 0.3, 0.0};
        Network net = new Network(spec, p);
        double[] x = {1.0};
        double[] t = {-1e20};
        assertTrue(Double.isFinite(net.loss(x, t)));
        double[] g = new double[p.length];
        net.gradient(x, t, g);
        assertTrue(Double.isNaN(net.delta(1)[0]) && Double.isFinite(net.delta(1)[1]), "the setup gives δ_h = [NaN, finite]");

        assertThrows(StepRejectedException.class, () -> net.step(x, t));
        assertEquals(0L, net.step());
        assertBitIdentical(p, net.parameters(), "parameters after the rejected step");
        if (optimizer == Optimizer.MOMENTUM) {
            assertBitIdentical(new double[p.length], net.velocity(), "velocity after the rejected step");
        }
        // the state is still a valid one
        assertBitIdentical(p, NetworkCodec.decode(NetworkCodec.encode(net)).parameters(), "decoded parameters");
    }

    @ParameterizedTest
    @EnumSource(UpdateRule.class)
    void velocityCarryingAParameterPastTheLargestDoubleIsRejectedEvenWithZeroGradient(UpdateRule rule) {
        // a restored state whose velocity is huge on a weight that never sees input (so its gradient is 0):
        // momentum alone moves it by 0.9·v per step, and the second such step would overflow
        NetworkSpec spec = spec(List.of(2, 1), List.of(LINEAR), Loss.SQUARED_ERROR, 0.1,
                rule, true, Optimizer.MOMENTUM, 0.9);
        double[] p = {0.3, 0.0, 0.1};
        double[] v = {0.0, -1.7e308, 0.0};
        Network net = new Network(spec, p, 5, v);
        double[] x = {0.5, 0.0};
        double[] out = new double[1];
        net.predict(x, out);
        net.step(x, out.clone()); // zero error: only the velocity moves anything
        double v1 = 0.9 * -1.7e308;
        assertEquals(v1, net.parameter(1), 0.0);
        assertEquals(v1, net.velocity()[1], 0.0);
        assertEquals(6L, net.step());

        double[] params = net.parameters();
        double[] velocity = net.velocity();
        net.predict(x, out);
        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(x, out.clone()));
        assertTrue(e.getMessage().contains("step 7"), e.getMessage());
        assertEquals(6L, net.step());
        assertBitIdentical(params, net.parameters(), "parameters after the rejected step");
        assertBitIdentical(velocity, net.velocity(), "velocity after the rejected step");
    }

    @ParameterizedTest
    @EnumSource(UpdateRule.class)
    void stepWhoseLossWouldBeNonFiniteIsRejected(UpdateRule rule) {
        NetworkSpec spec = spec(List.of(1, 2, 1), List.of(LINEAR, LINEAR), Loss.SQUARED_ERROR, 0.1,
                rule, true, Optimizer.SGD, 0.0);
        double[] p = {1e200, 1e200, 0, 0, 1e200, 1e200, 0};
        Network net = new Network(spec, p);
        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(new double[] {1.0}, new double[] {0.0}));
        assertTrue(e.getMessage().startsWith("loss would be "), e.getMessage());
        assertTrue(e.getMessage().contains("at step 1"), e.getMessage());
        assertEquals(0L, net.step());
        assertBitIdentical(p, net.parameters(), "parameters after the rejected step");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Optimizer.class, names = {"SGD", "MOMENTUM"})
    void stepNearTheOverflowBoundIsStillAppliedExactly(Optimizer optimizer) {
        // weight from input 1 (always 0) is 1e306: it takes the checked path but changes nothing in the forward pass
        NetworkSpec spec = spec(List.of(2, 2, 1), List.of(TANH, LINEAR), Loss.SQUARED_ERROR, ETA,
                UpdateRule.SIMULTANEOUS, true, optimizer, optimizer == Optimizer.MOMENTUM ? 0.5 : 0.0);
        double[] p = {0.3, 1e306, -0.2, -1e306, 0.1, -0.1, 0.7, -0.4, 0.05};
        Network net = new Network(spec, p);
        double[] x = {0.8, 0.0};
        double[] t = {0.5};
        double[] v = new double[p.length];
        double[] expected = p.clone();
        for (int s = 0; s < 3; s++) {
            double[] g = new double[p.length];
            new Network(spec, expected).gradient(x, t, g);
            for (int k = 0; k < p.length; k++) {
                if (optimizer == Optimizer.SGD) {
                    expected[k] = expected[k] - ETA * g[k];
                } else {
                    v[k] = 0.5 * v[k] - ETA * g[k];
                    expected[k] = expected[k] + v[k];
                }
            }
            net.step(x, t);
            assertBitIdentical(expected, net.parameters(), "parameters after step " + (s + 1));
        }
        assertEquals(1e306, net.parameter(1));
        assertEquals(3L, net.step());
    }

    static Stream<Arguments> lectureShapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Activation hidden : List.of(SIGMOID, TANH, RELU, LINEAR)) {
            for (Activation output : List.of(SIGMOID, TANH, LINEAR)) {
                for (boolean biases : List.of(true, false)) {
                    b.add(Arguments.of(hidden, output, Loss.SQUARED_ERROR, biases));
                }
            }
            b.add(Arguments.of(hidden, SIGMOID, Loss.CROSS_ENTROPY, true));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}-{1} {2} biases {3}")
    @MethodSource("lectureShapes")
    void theLectureShapedStepHasTheGeneralPathsBits(Activation hidden, Activation output, Loss loss, boolean biases) {
        // η = 0.25 is a power of two, so η·(δ·a) = (η·δ)·a exactly: the step must equal p − η·g bit for bit,
        // with g, the outputs, net inputs and deltas from gradient(), which runs the general forward and backward code
        NetworkSpec spec = spec(List.of(2, 2, 2), List.of(hidden, output), loss, ETA, UpdateRule.SIMULTANEOUS, biases, Optimizer.SGD, 0.0);
        SplittableRandom random = new SplittableRandom(7);
        Network net = new Network(spec, randomParameters(spec, 7, random));
        assertTrue(net.usesLectureShapedStep());
        for (int s = 0; s < 50; s++) {
            double[] x = uniform(random, 2, -2, 2);
            double[] t = uniform(random, 2, 0.05, 0.95);
            double[] p = net.parameters();
            Network general = net.copy();
            double[] g = new double[p.length];
            double expectedLoss = general.gradient(x, t, g);
            double[] expected = p.clone();
            ParameterLayout layout = net.layout();
            for (int l = 1; l <= 2; l++) {
                for (int k = layout.weightOffset(l); k < layout.weightOffset(l) + 4; k++) {
                    expected[k] -= ETA * g[k];
                }
                for (int k = layout.biasOffset(l); biases && k < layout.biasOffset(l) + 2; k++) {
                    expected[k] -= ETA * g[k];
                }
            }
            assertEquals(Double.doubleToRawLongBits(expectedLoss), Double.doubleToRawLongBits(net.step(x, t)), "loss of step " + (s + 1));
            assertBitIdentical(expected, net.parameters(), "parameters after step " + (s + 1));
            for (int l = 0; l <= 2; l++) {
                assertBitIdentical(general.layerOutput(l), net.layerOutput(l), "outputs of layer " + l);
                assertBitIdentical(general.delta(l == 0 ? 1 : l), net.delta(l == 0 ? 1 : l), "deltas of layer " + l);
            }
            assertBitIdentical(general.netInput(2), net.netInput(2), "net inputs of the output layer");
        }
        assertEquals(50L, net.step());
    }

    @Test
    void theLectureShapedStepRefusesWhatTheGeneralPathRefuses() {
        // 2-2-2 linear, W_1 = 1e-300·I, W_2 = 1e300·I: the outputs are 1 and the loss (~1e20) finite, but δ_1 = W_2ᵀ·δ_2 = 1e310
        NetworkSpec spec = spec(List.of(2, 2, 2), List.of(LINEAR, LINEAR), Loss.SQUARED_ERROR, ETA, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        double[] p = {1e-300, 0.0, 0.0, 1e-300, 0.0, 0.0, 1e300, 0.0, 0.0, 1e300, 0.0, 0.0};
        Network net = new Network(spec, p);
        assertTrue(net.usesLectureShapedStep());
        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(new double[] {1.0, 1.0}, new double[] {-1e10, -1e10}));
        assertTrue(e.getMessage().contains("at step 1"), e.getMessage());
        assertEquals(0L, net.step());
        assertBitIdentical(p, net.parameters(), "parameters after the refused step");
        // weights from input 1 (always 0) of ±1e306: beyond the bound, so the exact path applies the step, exactly
        NetworkSpec tanh = spec(List.of(2, 2, 2), List.of(TANH, LINEAR), Loss.SQUARED_ERROR, ETA, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        double[] q = {0.3, 1e306, 0.1, -1e306, 0.05, -0.05, 0.7, -0.4, 0.2, 0.6, 0.0, 0.1};
        Network far = new Network(tanh, q);
        assertTrue(far.usesLectureShapedStep());
        double[] x = {0.8, 0.0};
        double[] t = {0.5, 0.1};
        double[] expected = q.clone();
        for (int step = 1; step <= 3; step++) {
            double[] g = new double[q.length];
            new Network(tanh, expected).gradient(x, t, g);
            for (int k = 0; k < q.length; k++) {
                expected[k] -= ETA * g[k];
            }
            far.step(x, t);
            assertBitIdentical(expected, far.parameters(), "parameters after step " + step);
        }
        assertEquals(1e306, far.parameter(1));
    }

    @Test
    void onlyPlainSgdOnTheLecturesShapeTakesTheLectureShapedStep() {
        assertTrue(Lecture.network().usesLectureShapedStep());
        NetworkSpec lecture = Lecture.network().spec();
        assertFalse(new Network(lecture.withUpdateRule(UpdateRule.SEQUENTIAL), Lecture.initialParameters()).usesLectureShapedStep());
        assertFalse(new Network(NetworkSpec.of(List.of(2, 3, 2), SIGMOID, 0.1), new double[17]).usesLectureShapedStep());
        assertFalse(new Network(spec(List.of(2, 2, 2), List.of(SIGMOID, SIGMOID), Loss.SQUARED_ERROR, 0.1, UpdateRule.SIMULTANEOUS, true,
                Optimizer.MOMENTUM, 0.9), new double[12]).usesLectureShapedStep());
    }

    @Test
    void finiteActivationsWhoseSumOverflowsStillTrainExactly() {
        // 1-2-1 linear: both hidden outputs are 1e308, finite, but their sum (the proof's cheap bound) is ∞.
        // The step is finite, so it must be applied, exactly, not refused as non-finite.
        NetworkSpec spec = spec(List.of(1, 2, 1), List.of(LINEAR, LINEAR), Loss.SQUARED_ERROR, ETA,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        double[] p = {1e308, 1e308, 0.0, 0.0, 1e-308, -1e-308, 0.25};
        Network net = new Network(spec, p);
        double[] x = {1.0};
        double[] t = {0.75};
        double[] g = new double[p.length];
        new Network(spec, p).gradient(x, t, g);
        double[] expected = p.clone();
        for (int k = 0; k < p.length; k++) {
            expected[k] = expected[k] - ETA * g[k];
        }
        assertEquals(0.5 * 0.5 * 0.5, net.step(x, t));
        assertArrayEquals(new double[] {1e308, 1e308}, net.layerOutput(1));
        assertBitIdentical(expected, net.parameters(), "parameters after the step");
        assertEquals(1L, net.step());
    }

    // ========================================= codec =============================================

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rulesAndOptimizers")
    void codecRoundTripIsBitExactAndTrainingContinuesIdentically(UpdateRule rule, Optimizer optimizer) {
        NetworkSpec spec = spec(List.of(3, 5, 4, 2), List.of(RELU, TANH, SIGMOID), Loss.CROSS_ENTROPY, 0.3,
                rule, rule == UpdateRule.SEQUENTIAL, optimizer, optimizer == Optimizer.MOMENTUM ? 0.7 : 0.0);
        SplittableRandom random = new SplittableRandom(77);
        Network net = new Network(spec, randomParameters(spec, 77, random));
        double[][] xs = new double[20][];
        double[][] ts = new double[20][];
        for (int i = 0; i < 20; i++) {
            xs[i] = uniform(random, 3, -1, 1);
            ts[i] = uniform(random, 2, 0, 1);
        }
        for (int s = 0; s < 37; s++) {
            net.step(xs[s % 20], ts[s % 20]);
        }
        byte[] bytes = NetworkCodec.encode(net);
        assertEquals(NetworkCodec.encodedSize(net), bytes.length);
        Network decoded = NetworkCodec.decode(bytes);

        assertEquals(spec, decoded.spec());
        assertEquals(37L, decoded.step());
        assertBitIdentical(net.parameters(), decoded.parameters(), "decoded parameters");
        if (optimizer == Optimizer.MOMENTUM) {
            assertBitIdentical(net.velocity(), decoded.velocity(), "decoded velocity");
            assertTrue(nonZeroCount(decoded.velocity()) > 0);
        } else {
            assertNull(decoded.velocity());
        }
        assertArrayEquals(bytes, NetworkCodec.encode(decoded), "re-encoding gives the same bytes");

        for (int s = 0; s < 25; s++) {
            double a = net.step(xs[s % 20], ts[s % 20]);
            double b = decoded.step(xs[s % 20], ts[s % 20]);
            assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b), "loss at step " + s);
        }
        assertArrayEquals(NetworkCodec.encode(net), NetworkCodec.encode(decoded), "states after further training");
    }

    @Test
    void codecRoundTripKeepsSignedZeroAndExtremeValues() {
        NetworkSpec spec = spec(List.of(2, 1), List.of(LINEAR), Loss.SQUARED_ERROR, Double.MIN_VALUE,
                UpdateRule.SEQUENTIAL, true, Optimizer.MOMENTUM, 0.999);
        double[] p = {-0.0, Double.MAX_VALUE, Double.MIN_VALUE};
        double[] v = {Double.MIN_NORMAL, -0.0, -Double.MAX_VALUE};
        Network net = new Network(spec, p, Long.MAX_VALUE, v);
        Network decoded = NetworkCodec.decode(NetworkCodec.encode(net));
        assertBitIdentical(p, decoded.parameters(), "parameters");
        assertBitIdentical(v, decoded.velocity(), "velocity");
        assertEquals(Long.MAX_VALUE, decoded.step());
        assertEquals(spec, decoded.spec());
    }

    @Test
    void decodingGarbageThrowsIllegalArgumentExceptionWithAClearMessage() {
        byte[] good = NetworkCodec.encode(Lecture.network());
        assertMessage(() -> NetworkCodec.decode(new byte[0]), "network state is truncated (0 bytes)");
        assertMessage(() -> NetworkCodec.decode("hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                "not a network state: bad magic");
        byte[] version = good.clone();
        version[2] = 3;
        assertMessage(() -> NetworkCodec.decode(version), "unsupported network state version 3");
        byte[] layers = good.clone();
        layers[6] = 0; // nLayers 3 → 0
        assertMessage(() -> NetworkCodec.decode(layers), "network state has 0 layers");
        byte[] activation = good.clone();
        activation[3 + 4 + 12] = 9;
        assertMessage(() -> NetworkCodec.decode(activation), "network state has unknown activation 9");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertMessage(() -> NetworkCodec.decode(trailing), "network state has 1 trailing bytes");
        for (int len = 0; len < good.length; len++) {
            byte[] prefix = Arrays.copyOf(good, len);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkCodec.decode(prefix),
                    "prefix of " + len + " bytes");
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("claims"),
                    "prefix of " + len + " bytes: " + e.getMessage());
        }
    }

    @Test
    void decodingCorruptedBytesEitherSucceedsOrThrowsIllegalArgumentException() {
        NetworkSpec spec = spec(List.of(2, 3, 1), List.of(TANH, SIGMOID), Loss.CROSS_ENTROPY, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.MOMENTUM, 0.9);
        Network net = new Network(spec, Initializers.xavier(spec, 1));
        net.step(new double[] {0.1, 0.2}, new double[] {0.7});
        byte[] good = NetworkCodec.encode(net);
        int rejected = 0;
        for (int i = 0; i < good.length; i++) {
            for (int mask : new int[] {0x01, 0x10, 0x80, 0xFF, 0x7F}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) mask;
                try {
                    NetworkCodec.decode(bad);
                } catch (IllegalArgumentException expected) {
                    rejected++;
                    assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
                }
            }
        }
        assertTrue(rejected > 50, "many corruptions are detected: " + rejected);
    }

    // ======================================== allocation =========================================

    static Stream<Arguments> allocationCases() {
        return Stream.of(
                Arguments.of(List.of(20, 30, 10), UpdateRule.SIMULTANEOUS, Optimizer.SGD, false),
                Arguments.of(List.of(20, 30, 10), UpdateRule.SEQUENTIAL, Optimizer.SGD, true),
                Arguments.of(List.of(20, 30, 10), UpdateRule.SIMULTANEOUS, Optimizer.MOMENTUM, true),
                Arguments.of(List.of(16, 24, 12, 4), UpdateRule.SEQUENTIAL, Optimizer.MOMENTUM, false));
    }

    @ParameterizedTest(name = "{0} {1} {2} trainBiases={3}")
    @MethodSource("allocationCases")
    void stepAllocatesNothing(List<Integer> layers, UpdateRule rule, Optimizer optimizer, boolean trainBiases) {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM cannot count allocated bytes");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "thread allocation accounting is off");

        List<Activation> activations = new java.util.ArrayList<>();
        for (int l = 1; l < layers.size() - 1; l++) {
            activations.add(l % 2 == 1 ? TANH : RELU);
        }
        activations.add(SIGMOID);
        NetworkSpec spec = spec(layers, activations, Loss.CROSS_ENTROPY, 0.01, rule, trainBiases, optimizer,
                optimizer == Optimizer.MOMENTUM ? 0.9 : 0.0);
        SplittableRandom random = new SplittableRandom(5);
        Network net = new Network(spec, Initializers.xavier(spec, 5));
        int samples = 16;
        double[][] xs = new double[samples][];
        double[][] ts = new double[samples][];
        for (int i = 0; i < samples; i++) {
            xs[i] = uniform(random, spec.inputSize(), -1, 1);
            ts[i] = uniform(random, spec.outputSize(), 0, 1);
        }
        double sink = 0;
        for (int s = 0; s < 20_000; s++) {
            sink += net.step(xs[s & (samples - 1)], ts[s & (samples - 1)]);
        }
        long tid = Thread.currentThread().getId();
        long start = mx.getThreadAllocatedBytes(tid);
        long baseline = mx.getThreadAllocatedBytes(tid) - start;
        long before = mx.getThreadAllocatedBytes(tid);
        for (int s = 0; s < 10_000; s++) {
            sink += net.step(xs[s & (samples - 1)], ts[s & (samples - 1)]);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before - baseline;
        assertTrue(Double.isFinite(sink));
        assertEquals(30_000L, net.step());
        assertTrue(allocated < 10_000, "10,000 steps allocated " + allocated + " bytes");
    }

    // ======================================== initializers =======================================

    @Test
    void xavierIsReproduciblePerSeedAndWithinItsBound() {
        NetworkSpec spec = NetworkSpec.of(List.of(30, 20, 10, 5), TANH, 0.1);
        double[] a = Initializers.xavier(spec, 1234);
        assertBitIdentical(a, Initializers.xavier(spec, 1234), "same seed");
        assertFalse(Arrays.equals(a, Initializers.xavier(spec, 1235)), "different seeds differ");
        ParameterLayout layout = new ParameterLayout(spec.layers());
        assertEquals(layout.parameterCount(), a.length);
        for (int l = 1; l <= layout.depth(); l++) {
            double bound = Math.sqrt(6.0 / (layout.size(l - 1) + layout.size(l)));
            double max = 0;
            for (int k = 0; k < layout.weightCount(l); k++) {
                double w = a[layout.weightOffset(l) + k];
                assertTrue(w >= -bound && w < bound, "layer " + l + " weight " + k + " = " + w + " outside ±" + bound);
                max = Math.max(max, Math.abs(w));
            }
            assertTrue(max > 0.8 * bound, "layer " + l + " uses its range: max |w| = " + max + ", bound " + bound);
            for (int j = 0; j < layout.size(l); j++) {
                assertEquals(0.0, a[layout.biasOffset(l) + j], 0.0, "bias " + l + "[" + j + "]");
            }
        }
    }

    @Test
    void heIsReproduciblePerSeedWithTheRightSpread() {
        NetworkSpec spec = NetworkSpec.of(List.of(400, 300, 10), RELU, 0.1);
        double[] a = Initializers.he(spec, 99);
        assertBitIdentical(a, Initializers.he(spec, 99), "same seed");
        assertFalse(Arrays.equals(a, Initializers.he(spec, 100)), "different seeds differ");
        ParameterLayout layout = new ParameterLayout(spec.layers());
        int off = layout.weightOffset(1);
        int n = layout.weightCount(1);
        double sum = 0;
        double sumSq = 0;
        for (int k = 0; k < n; k++) {
            sum += a[off + k];
            sumSq += a[off + k] * a[off + k];
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        double expectedSd = Math.sqrt(2.0 / 400);
        assertEquals(0.0, mean, 0.01 * expectedSd, "mean");
        assertEquals(expectedSd, sd, 0.02 * expectedSd, "standard deviation");
        for (int l = 1; l <= 2; l++) {
            for (int j = 0; j < layout.size(l); j++) {
                assertEquals(0.0, a[layout.biasOffset(l) + j], 0.0);
            }
        }
    }

    // ========================================== helpers ==========================================

    private static NetworkSpec spec(List<Integer> layers, List<Activation> activations, Loss loss, double eta,
                                    UpdateRule rule, boolean trainBiases, Optimizer optimizer, double mu) {
        return new NetworkSpec(layers, activations, loss, eta, rule, trainBiases, optimizer, mu);
    }

    /** Xavier weights and random biases in (−0.5, 0.5). */
    static double[] randomParameters(NetworkSpec spec, long seed, SplittableRandom random) {
        double[] p = Initializers.xavier(spec, seed);
        ParameterLayout layout = new ParameterLayout(spec.layers());
        for (int l = 1; l <= layout.depth(); l++) {
            for (int j = 0; j < layout.size(l); j++) {
                p[layout.biasOffset(l) + j] = random.nextDouble(-0.5, 0.5);
            }
        }
        return p;
    }

    static double[] uniform(SplittableRandom random, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(lo, hi);
        }
        return v;
    }

    private static int nonZeroCount(double[] v) {
        int c = 0;
        for (double x : v) {
            if (x != 0) {
                c++;
            }
        }
        return c;
    }

    private static void assertMessage(Executable call, String expectedFragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(expectedFragment),
                "message \"" + e.getMessage() + "\" should contain \"" + expectedFragment + "\"");
    }
}
