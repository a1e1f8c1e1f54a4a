package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.backpropstreams.nn.Activation.SOFTMAX;
import static io.backpropstreams.nn.Activation.TANH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every optimizer and schedule against a reference implementation of its published update rule,
 * written here from the papers' formulas, one parameter at a time: Adam (Kingma &amp; Ba 2015,
 * Algorithm 1), AdamW (Loshchilov &amp; Hutter 2019, decoupled decay as in PyTorch), RMSprop
 * (Hinton's lecture 6e, PyTorch's form with ε outside the root), Adagrad (Duchi et al. 2011),
 * Nesterov momentum (Sutskever et al. 2013), plus L2 weight decay, global-norm clipping and the four
 * schedules. The reference takes its gradient either from backpropagation ({@link Network#gradient},
 * itself checked in {@link GradientCheckTest}) and must agree to 1e-12 over 100 steps, or from
 * central differences of the loss and must agree to 1e-6 relative over 5 steps.
 */
class OptimizerReferenceTest {

    private static final List<Integer> LAYERS = List.of(4, 6, 3);

    /** One configuration: optimizer, its settings, the schedule, and whether biases train. */
    record Case(String name, Optimizer optimizer, double eta, double momentum, OptimizerSettings settings, Schedule schedule,
                boolean trainBiases) {
        NetworkSpec spec() {
            return new NetworkSpec(LAYERS, List.of(TANH, SOFTMAX), Loss.CATEGORICAL_CROSS_ENTROPY, eta, UpdateRule.SIMULTANEOUS,
                    trainBiases, optimizer, momentum, settings, schedule, false);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        OptimizerSettings adam = OptimizerSettings.defaults(Optimizer.ADAM);
        List<Case> c = new ArrayList<>();
        c.add(new Case("sgd with L2 0.01", Optimizer.SGD, 0.1, 0, new OptimizerSettings(0.9, 0.999, 1e-8, 0.01, 0), Schedule.CONSTANT, true));
        c.add(new Case("sgd clipped to 0.05", Optimizer.SGD, 0.1, 0, new OptimizerSettings(0.9, 0.999, 1e-8, 0, 0.05), Schedule.CONSTANT, true));
        c.add(new Case("momentum 0.9 with L2, frozen biases", Optimizer.MOMENTUM, 0.05, 0.9,
                new OptimizerSettings(0.9, 0.999, 1e-8, 0.001, 0), Schedule.CONSTANT, false));
        c.add(new Case("nesterov 0.9", Optimizer.NESTEROV, 0.05, 0.9, adam, Schedule.CONSTANT, true));
        c.add(new Case("adam", Optimizer.ADAM, 0.01, 0, adam, Schedule.CONSTANT, true));
        c.add(new Case("adam β 0.8/0.99 ε 1e-6, L2, clipped", Optimizer.ADAM, 0.01, 0,
                new OptimizerSettings(0.8, 0.99, 1e-6, 0.01, 0.5), Schedule.CONSTANT, true));
        c.add(new Case("adamw decay 0.05", Optimizer.ADAMW, 0.01, 0, new OptimizerSettings(0.9, 0.999, 1e-8, 0.05, 0), Schedule.CONSTANT, true));
        c.add(new Case("rmsprop", Optimizer.RMSPROP, 0.005, 0, OptimizerSettings.defaults(Optimizer.RMSPROP), Schedule.CONSTANT, true));
        c.add(new Case("adagrad, frozen biases", Optimizer.ADAGRAD, 0.1, 0, OptimizerSettings.defaults(Optimizer.ADAGRAD), Schedule.CONSTANT, false));
        c.add(new Case("sgd, inverse-time 0.05 every 3", Optimizer.SGD, 0.2, 0, adam, new Schedule(Schedule.Kind.INVERSE_TIME, 0.05, 3), true));
        c.add(new Case("sgd, exponential 0.97 every 10", Optimizer.SGD, 0.2, 0, adam, new Schedule(Schedule.Kind.EXPONENTIAL, 0.97, 10), true));
        c.add(new Case("momentum, step 0.5 every 25", Optimizer.MOMENTUM, 0.1, 0.5, adam, new Schedule(Schedule.Kind.STEP, 0.5, 25), true));
        c.add(new Case("adam, inverse-time 0.01", Optimizer.ADAM, 0.02, 0, adam, new Schedule(Schedule.Kind.INVERSE_TIME, 0.01, 1), true));
        c.add(new Case("adamw, step 0.9 every 20", Optimizer.ADAMW, 0.02, 0, new OptimizerSettings(0.9, 0.999, 1e-8, 0.01, 0),
                new Schedule(Schedule.Kind.STEP, 0.9, 20), true));
        c.add(new Case("rmsprop, exponential 0.99", Optimizer.RMSPROP, 0.01, 0, OptimizerSettings.defaults(Optimizer.RMSPROP),
                new Schedule(Schedule.Kind.EXPONENTIAL, 0.99, 1), true));
        c.add(new Case("adagrad, clipped to 0.1", Optimizer.ADAGRAD, 0.1, 0, new OptimizerSettings(0.9, 0.999, 1e-10, 0, 0.1), Schedule.CONSTANT, true));
        return c.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesThePublishedRuleOver100StepsWithTheBackpropagatedGradient(Case c) {
        Samples data = new Samples(100, 41);
        Network net = new Network(c.spec(), Initializers.xavier(c.spec(), 41));
        Reference ref = new Reference(c, net.parameters());
        for (int s = 0; s < 100; s++) {
            double[] g = new double[ref.p.length];
            new Network(c.spec().withOptimizer(Optimizer.SGD, 0), ref.p).gradient(data.x[s], data.t[s], g);
            ref.step(g);
            net.step(data.x[s], data.t[s]);
            assertClose(ref.p, net.parameters(), 1e-12, c + ", step " + (s + 1));
        }
        double[][] moments = net.moments();
        assertEquals(c.optimizer().stateVectors(), moments.length);
        for (int v = 0; v < moments.length; v++) {
            assertClose(ref.state[v], moments[v], 1e-12, c + ", state vector " + v);
        }
        assertNotEquals(0.0, Arrays.stream(ref.p).map(Math::abs).sum(), "the run is not vacuous");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesThePublishedRuleWithCentralDifferenceGradients(Case c) {
        Samples data = new Samples(5, 43);
        Network net = new Network(c.spec(), Initializers.xavier(c.spec(), 43));
        Reference ref = new Reference(c, net.parameters());
        for (int s = 0; s < 5; s++) {
            ref.step(GradientCheckTest.centralDifferences(c.spec(), ref.p, data.x[s], data.t[s]));
            net.step(data.x[s], data.t[s]);
            double[] p = net.parameters();
            for (int k = 0; k < p.length; k++) {
                double tol = 1e-6 * (Math.abs(ref.p[k]) + Math.abs(p[k])) + 1e-9;
                if (!(Math.abs(ref.p[k] - p[k]) <= tol)) {
                    fail(c + ", step " + (s + 1) + ": parameter " + k + " is " + p[k] + ", the rule on central differences gives " + ref.p[k]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aStateEncodedMidRunGoesOnBitForBit(Case c) {
        Samples data = new Samples(60, 47);
        Network net = new Network(c.spec(), Initializers.xavier(c.spec(), 47));
        for (int s = 0; s < 30; s++) {
            net.step(data.x[s], data.t[s]);
        }
        Network restored = NetworkCodec.decode(NetworkCodec.encode(net));
        assertEquals(c.spec(), restored.spec());
        for (int s = 30; s < 60; s++) {
            assertEquals(Double.doubleToLongBits(net.step(data.x[s], data.t[s])), Double.doubleToLongBits(restored.step(data.x[s], data.t[s])));
        }
        assertArrayEquals(NetworkCodec.encode(net), NetworkCodec.encode(restored));
        assertEquals(60L, restored.optimizerStep());
    }

    @Test
    void resetOptimizerZeroesTheMomentsAndRestartsBiasCorrectionAndSchedule() {
        Case c = new Case("adam, inverse-time", Optimizer.ADAM, 0.02, 0, OptimizerSettings.DEFAULTS,
                new Schedule(Schedule.Kind.INVERSE_TIME, 0.1, 1), true);
        Samples data = new Samples(20, 53);
        Network net = new Network(c.spec(), Initializers.xavier(c.spec(), 53));
        for (int s = 0; s < 10; s++) {
            net.step(data.x[s], data.t[s]);
        }
        net.resetOptimizer();
        assertEquals(10L, net.step());
        assertEquals(0L, net.optimizerStep());
        for (double[] m : net.moments()) {
            assertTrue(Arrays.stream(m).allMatch(v -> v == 0.0));
        }
        Reference ref = new Reference(c, net.parameters());
        for (int s = 10; s < 20; s++) {
            double[] g = new double[ref.p.length];
            new Network(c.spec().withOptimizer(Optimizer.SGD, 0), ref.p).gradient(data.x[s], data.t[s], g);
            ref.step(g);
            net.step(data.x[s], data.t[s]);
        }
        assertClose(ref.p, net.parameters(), 1e-12, "after the reset, as a fresh optimizer from those parameters");
    }

    @Test
    void aStepThatWouldOverflowTheSecondMomentIsRefusedAndChangesNothing() {
        NetworkSpec spec = new NetworkSpec(List.of(1, 1), List.of(Activation.LINEAR), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.ADAGRAD, 0, OptimizerSettings.defaults(Optimizer.ADAGRAD), Schedule.CONSTANT, false);
        // output 1.5e154: the loss ½o² ≈ 1.1e308 is finite, the squared gradient o² ≈ 2.3e308 is not
        Network net = new Network(spec, new double[] {1.5e154, 0});
        byte[] before = NetworkCodec.encode(net);
        StepRejectedException e = assertThrows(StepRejectedException.class, () -> net.step(new double[] {1.0}, new double[] {0.0}));
        assertTrue(e.getMessage().contains("adagrad state"), e.getMessage());
        assertArrayEquals(before, NetworkCodec.encode(net), "parameters, state and step are as they were");
    }

    @Test
    void aGradientWhoseSquaresOverflowIsClippedNotZeroed() {
        NetworkSpec spec = new NetworkSpec(List.of(1, 1), List.of(Activation.LINEAR), Loss.SQUARED_ERROR, 0.1,
                UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0, new OptimizerSettings(0.9, 0.999, 1e-8, 0, 1.0), Schedule.CONSTANT, false);
        // output 1e155 on input 1: the loss ½o² = 5e309 overflows, so feed a smaller input to keep it finite
        Network net = new Network(spec, new double[] {1e150, 0});
        double x = 1e4;
        net.step(new double[] {x}, new double[] {0.0});
        // g = (w·x)·(x, 1) = (1e158, 1e154): ‖g‖² overflows; clipped to norm 1 it is ≈ (1, 1e-4)
        double[] p = net.parameters();
        assertEquals(1e150 - 0.1 * (1.0 / Math.sqrt(1 + 1e-8)), p[0], 1e136, "the weight moved by η·ĝ₀, not by 0");
        assertEquals(-0.1 * 1e-4 / Math.sqrt(1 + 1e-8), p[1], 1e-15, "the bias moved by η·ĝ₁");
    }

    @Test
    void settingsAndSchedulesNameTheOffendingValue() {
        assertMessage(() -> new OptimizerSettings(1.0, 0.999, 1e-8, 0, 0), "beta1 must be in [0, 1), got 1.0");
        assertMessage(() -> new OptimizerSettings(0.9, -0.1, 1e-8, 0, 0), "beta2 must be in [0, 1), got -0.1");
        assertMessage(() -> new OptimizerSettings(0.9, 0.999, 0, 0, 0), "epsilon must be a finite number > 0, got 0.0");
        assertMessage(() -> new OptimizerSettings(0.9, 0.999, 1e-8, -1, 0), "weightDecay must be a finite number ≥ 0, got -1.0");
        assertMessage(() -> new OptimizerSettings(0.9, 0.999, 1e-8, 0, Double.NaN), "clipNorm must be a finite number ≥ 0");
        assertMessage(() -> new Schedule(Schedule.Kind.EXPONENTIAL, 1.5, 1), "exponential decay must be in (0, 1], got 1.5");
        assertMessage(() -> new Schedule(Schedule.Kind.STEP, 0.5, 0), "schedule 'every' must be at least 1, got 0");
        assertMessage(() -> Schedule.Kind.parse("cosine"), "unknown schedule kind 'cosine'");
        assertMessage(() -> Optimizer.parse("lbfgs"), "unknown optimizer 'lbfgs'");
        NetworkSpec base = NetworkSpec.of(List.of(2, 2, 2), Activation.SIGMOID, 0.5);
        assertMessage(() -> base.withUpdateRule(UpdateRule.SEQUENTIAL).withOptimizer(Optimizer.ADAM, 0),
                "the sequential rule (the lecture's first code) works with sgd and momentum only");
    }

    // ------------------------------------------------------------------------------------------

    /** The published rules, one parameter at a time, in the most literal form. */
    static final class Reference {
        final Case c;
        final double[] p;
        final double[][] state;
        final boolean[] trained;
        long t;

        Reference(Case c, double[] p) {
            this.c = c;
            this.p = p.clone();
            this.state = new double[c.optimizer().stateVectors()][p.length];
            ParameterLayout layout = new ParameterLayout(LAYERS);
            trained = new boolean[p.length];
            Arrays.fill(trained, true);
            if (!c.trainBiases()) {
                for (int l = 1; l <= layout.depth(); l++) {
                    for (int j = 0; j < layout.size(l); j++) {
                        trained[layout.biasOffset(l) + j] = false;
                    }
                }
            }
        }

        double rate() {
            Schedule s = c.schedule();
            double eta = c.eta();
            return switch (s.kind()) {
                case CONSTANT -> eta;
                case INVERSE_TIME -> eta / (1 + s.decay() * t / s.every());
                case EXPONENTIAL -> eta * StrictMath.pow(s.decay(), (double) t / s.every());
                case STEP -> eta * StrictMath.pow(s.decay(), Math.floor((double) t / s.every()));
            };
        }

        void step(double[] gradient) {
            double[] g = gradient.clone();
            OptimizerSettings o = c.settings();
            double norm = 0;
            for (int k = 0; k < g.length; k++) {
                if (trained[k]) {
                    norm += g[k] * g[k];
                }
            }
            norm = Math.sqrt(norm);
            if (o.clipNorm() > 0 && norm > o.clipNorm()) {
                for (int k = 0; k < g.length; k++) {
                    g[k] = g[k] * (o.clipNorm() / norm);
                }
            }
            double eta = rate();
            t++;
            for (int k = 0; k < p.length; k++) {
                if (!trained[k]) {
                    continue;
                }
                double gk = c.optimizer() == Optimizer.ADAMW ? g[k] : g[k] + o.weightDecay() * p[k];
                switch (c.optimizer()) {
                    case SGD -> p[k] = p[k] - eta * gk;
                    case MOMENTUM -> {
                        state[0][k] = c.momentum() * state[0][k] - eta * gk;
                        p[k] = p[k] + state[0][k];
                    }
                    case NESTEROV -> {
                        state[0][k] = c.momentum() * state[0][k] - eta * gk;
                        p[k] = p[k] + c.momentum() * state[0][k] - eta * gk;
                    }
                    case ADAGRAD -> {
                        state[0][k] = state[0][k] + gk * gk;
                        p[k] = p[k] - eta * gk / (Math.sqrt(state[0][k]) + o.epsilon());
                    }
                    case RMSPROP -> {
                        state[0][k] = o.beta2() * state[0][k] + (1 - o.beta2()) * gk * gk;
                        p[k] = p[k] - eta * gk / (Math.sqrt(state[0][k]) + o.epsilon());
                    }
                    case ADAM, ADAMW -> {
                        if (c.optimizer() == Optimizer.ADAMW) {
                            p[k] = p[k] - eta * o.weightDecay() * p[k];
                        }
                        state[0][k] = o.beta1() * state[0][k] + (1 - o.beta1()) * gk;
                        state[1][k] = o.beta2() * state[1][k] + (1 - o.beta2()) * gk * gk;
                        double mHat = state[0][k] / (1 - Math.pow(o.beta1(), t));
                        double vHat = state[1][k] / (1 - Math.pow(o.beta2(), t));
                        p[k] = p[k] - eta * mHat / (Math.sqrt(vHat) + o.epsilon());
                    }
                }
            }
        }
    }

    /** Seeded inputs in [−1, 1] and one-hot targets over 3 classes. */
    static final class Samples {
        final double[][] x;
        final double[][] t;

        Samples(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            x = new double[n][4];
            t = new double[n][3];
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < 4; i++) {
                    x[s][i] = r.nextDouble(-1, 1);
                }
                t[s][r.nextInt(3)] = 1.0;
            }
        }
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int k = 0; k < expected.length; k++) {
            if (!(Math.abs(expected[k] - actual[k]) <= tolerance * Math.max(1.0, Math.abs(expected[k])))) {
                fail(what + ": entry " + k + " is " + actual[k] + ", the reference gives " + expected[k]);
            }
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }
}
