package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The core's bits, pinned: the SHA-256 of every weight (and velocity) after 5,000 online steps on
 * seeded shapes and samples, under both update rules. The hashes were recorded from the core as it
 * was before any speed work; a faster core must reproduce them exactly, and so must the same JVM
 * without AVX and without C2's SuperWord vectoriser (the loops' floating-point sums must not depend
 * on how wide the vector unit is).
 */
class CoreFingerprintTest {

    static final int STEPS = 5_000;

    /** The hashes of the core before any change to its loops (2026-12-04). */
    static final Map<String, String> RECORDED = Map.ofEntries(
            Map.entry("2-2-2 sigmoid simultaneous", "a678ab57161f0d815612e818be5758069a21825c049d56aaa2fe6c673143a2f4"),
            Map.entry("2-2-2 sigmoid sequential", "1cd1d5abdfca169e34f96443b4d150d0ee313cbf75033a94238003bb846e9788"),
            Map.entry("3-5-4-2 tanh/relu/sigmoid simultaneous", "8a03e787c75af79d9c5e3d798ea1c7879ba28dc40ba6191f031eda15d16e2a7f"),
            Map.entry("3-5-4-2 tanh/relu/sigmoid sequential", "a4b9078e1c59dd078b5b4eee6f1ee733eb0b586bad9df0a31d623a5f41216cf5"),
            Map.entry("64-32-10 sigmoid simultaneous momentum 0.9", "eb5dfb9bd41cefa5e630a8f636118d93c17e5d290f7c86cf338a71dc753af462"),
            Map.entry("64-32-10 sigmoid sequential", "34450eb85f42b52b417dd916b018c829ef87cb25236f3e5761c222a223d10812"),
            Map.entry("64-32-10 sigmoid simultaneous", "0bc86773873d1bec4271531a0a7f97b42b734ae2bf386e88890e9c9ebc1c6193"),
            Map.entry("784-128-10 sigmoid simultaneous", "50d7d18e01cc1cc0c181205d5cc76537b8f452bb4c846dc58b91c59d7242c065"),
            Map.entry("784-128-10 sigmoid sequential", "dfbd08ae07fd87967b867c95fb4fbfb1c1d071bd3037df9ba52f8679043a76a7"));

    private record Case(String name, NetworkSpec spec, long seed) {
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (UpdateRule rule : UpdateRule.values()) {
            String r = rule == UpdateRule.SIMULTANEOUS ? "simultaneous" : "sequential";
            c.add(new Case("2-2-2 sigmoid " + r, new NetworkSpec(List.of(2, 2, 2), List.of(Activation.SIGMOID, Activation.SIGMOID),
                    Loss.SQUARED_ERROR, 0.5, rule, true, Optimizer.SGD, 0.0), 1));
            c.add(new Case("3-5-4-2 tanh/relu/sigmoid " + r, new NetworkSpec(List.of(3, 5, 4, 2),
                    List.of(Activation.TANH, Activation.RELU, Activation.SIGMOID), Loss.SQUARED_ERROR, 0.1, rule, true, Optimizer.SGD, 0.0), 2));
            boolean momentum = rule == UpdateRule.SIMULTANEOUS;
            c.add(new Case("64-32-10 sigmoid " + r + (momentum ? " momentum 0.9" : ""), new NetworkSpec(List.of(64, 32, 10),
                    List.of(Activation.SIGMOID, Activation.SIGMOID), Loss.SQUARED_ERROR, 0.05, rule, true,
                    momentum ? Optimizer.MOMENTUM : Optimizer.SGD, momentum ? 0.9 : 0.0), 3));
            if (rule == UpdateRule.SIMULTANEOUS) {
                c.add(new Case("64-32-10 sigmoid simultaneous", new NetworkSpec(List.of(64, 32, 10),
                        List.of(Activation.SIGMOID, Activation.SIGMOID), Loss.SQUARED_ERROR, 0.05, rule, true, Optimizer.SGD, 0.0), 5));
            }
            c.add(new Case("784-128-10 sigmoid " + r, new NetworkSpec(List.of(784, 128, 10), List.of(Activation.SIGMOID, Activation.SIGMOID),
                    Loss.SQUARED_ERROR, 0.1, rule, true, Optimizer.SGD, 0.0), 4));
        }
        return c;
    }

    /** Every case's hash, computed in this JVM. */
    static Map<String, String> fingerprints() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Case c : cases()) {
            out.put(c.name(), fingerprint(c));
        }
        return out;
    }

    /** 5,000 steps on a cycle of 32 seeded samples (inputs in [0, 1), targets in [0.05, 0.95)), then the hash of the state. */
    private static String fingerprint(Case c) throws Exception {
        Network n = new Network(c.spec(), Initializers.xavier(c.spec(), c.seed()));
        SplittableRandom random = new SplittableRandom(c.seed() * 1_000_003L);
        int in = c.spec().inputSize();
        int outs = c.spec().outputSize();
        double[][] inputs = new double[32][in];
        double[][] targets = new double[32][outs];
        for (int s = 0; s < 32; s++) {
            for (int i = 0; i < in; i++) {
                inputs[s][i] = random.nextDouble();
            }
            for (int k = 0; k < outs; k++) {
                targets[s][k] = random.nextDouble(0.05, 0.95);
            }
        }
        for (int t = 0; t < STEPS; t++) {
            n.step(inputs[t % 32], targets[t % 32]);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(8 * (n.parameters().length + (n.velocity() == null ? 0 : n.velocity().length)));
        for (double p : n.parameters()) {
            b.putLong(Double.doubleToRawLongBits(p));
        }
        if (n.velocity() != null) {
            for (double v : n.velocity()) {
                b.putLong(Double.doubleToRawLongBits(v));
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest(b.array()));
    }

    @Test
    void theCoreReproducesTheRecordedBits() throws Exception {
        assertEquals(RECORDED, fingerprints());
    }

    @Test
    void withoutAvxTheBitsAreTheSame() throws Exception {
        assertEquals(RECORDED, inChildJvm("-XX:UseAVX=0"));
    }

    @Test
    void withoutSuperWordTheBitsAreTheSame() throws Exception {
        assertEquals(RECORDED, inChildJvm("-XX:-UseSuperWord"));
    }

    /**
     * A wide first layer is kept input-major inside the core; what leaves it (the codec, the
     * parameter vector, a layer's weights, a copy) is the row-major state, and a network restored
     * from it goes on exactly as the original does.
     */
    @Test
    void aWideNetworkSnapshottedMidRunGoesOnBitForBit() {
        NetworkSpec spec = new NetworkSpec(List.of(784, 128, 10), List.of(Activation.SIGMOID, Activation.SIGMOID),
                Loss.SQUARED_ERROR, 0.1, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        double[] init = Initializers.xavier(spec, 9);
        Network original = new Network(spec, init);
        SplittableRandom random = new SplittableRandom(10);
        double[][] x = new double[8][784];
        double[][] t = new double[8][10];
        for (int s = 0; s < 8; s++) {
            for (int i = 0; i < 784; i++) {
                x[s][i] = random.nextDouble();
            }
            t[s][s] = 1.0;
        }
        // the row-major reference: the same steps on a network whose weights are read back after every step
        Network reference = new Network(spec, init);
        for (int k = 0; k < 200; k++) {
            original.step(x[k % 8], t[k % 8]);
            reference.step(x[k % 8], t[k % 8]);
            reference = new Network(spec, reference.parameters(), reference.step(), null);
        }
        assertTrue(java.util.Arrays.equals(reference.parameters(), original.parameters()), "parameters() after 200 steps");
        double[] w1 = original.weights(1);
        assertEquals(original.parameter(original.layout().weightOffset(1) + 5 * 784 + 7), w1[5 * 784 + 7], 0.0, "W1[5][7]");
        Network restored = NetworkCodec.decode(NetworkCodec.encode(original));
        Network copied = original.copy();
        for (int k = 0; k < 200; k++) {
            original.step(x[k % 8], t[k % 8]);
            restored.step(x[k % 8], t[k % 8]);
            copied.step(x[k % 8], t[k % 8]);
        }
        assertTrue(java.util.Arrays.equals(original.parameters(), restored.parameters()), "restored from the codec");
        assertTrue(java.util.Arrays.equals(original.parameters(), copied.parameters()), "copy()");
    }

    /**
     * The exact path (a step the bound cannot prove finite) works on the row-major vector; the
     * input-major rows must follow it, whether the step is applied or refused.
     */
    @Test
    void aWideNetworkKeepsItsTwoLayoutsInStepOnTheExactPath() {
        NetworkSpec spec = new NetworkSpec(List.of(40, 8, 3), List.of(Activation.SIGMOID, Activation.LINEAR),
                Loss.SQUARED_ERROR, 1e306, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        Network n = new Network(spec, Initializers.xavier(spec, 3));
        double[] x = new double[40];
        java.util.Arrays.fill(x, 0.5);
        double[] t = {1e3, -1e3, 5};
        int refused = 0;
        for (double eta : new double[] {1e306, 1e-3}) {
            Network m = new Network(spec.withLearningRate(eta), n.parameters());
            for (int k = 0; k < 3; k++) {
                double[] before = m.parameters();
                try {
                    m.step(x, t); // with η = 1e306, η·δ·a cannot be bounded: the exact path applies the step or refuses it
                } catch (StepRejectedException e) {
                    refused++;
                    assertTrue(java.util.Arrays.equals(before, m.parameters()), "a refused step changes nothing");
                }
                double[] out = new double[3];
                double[] outRestored = new double[3];
                m.predict(x, out);
                new Network(spec, m.parameters()).predict(x, outRestored);
                assertTrue(java.util.Arrays.equals(out, outRestored), "rows and vector agree: " + java.util.Arrays.toString(out)
                        + " vs " + java.util.Arrays.toString(outRestored));
            }
        }
        assertTrue(refused > 0, "the exact path refused a step");
    }

    /**
     * A wide first layer's update is applied lazily, fused with the next forward pass. Whatever
     * reads the network between steps (a prediction, a loss, a gradient, a layer's weights, the
     * codec, a copy), and a step refused after the pending update was applied, must see and keep
     * exactly the state of a network that applies every update at once.
     */
    @Test
    void thePendingFirstLayerUpdateIsInvisibleFromOutside() {
        NetworkSpec spec = new NetworkSpec(List.of(40, 8, 3), List.of(Activation.TANH, Activation.LINEAR),
                Loss.SQUARED_ERROR, 0.05, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        double[] init = Initializers.xavier(spec, 21);
        SplittableRandom random = new SplittableRandom(22);
        double[][] x = new double[5][40];
        double[][] t = new double[5][3];
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 40; i++) {
                x[s][i] = random.nextDouble() * 2 - 1;
            }
            t[s][s % 3] = 1.0;
        }
        Network lazy = new Network(spec, init);
        Network eager = new Network(spec, init);
        double[] out = new double[3];
        double[] gradient = new double[lazy.layout().parameterCount()];
        for (int k = 0; k < 60; k++) {
            double a = lazy.step(x[k % 5], t[k % 5]);
            double b = eager.step(x[k % 5], t[k % 5]);
            eager = new Network(spec, eager.parameters(), eager.step(), null); // reading the vector applies every update
            assertEquals(Double.doubleToRawLongBits(b), Double.doubleToRawLongBits(a), "loss of step " + k);
            switch (k % 6) {
                case 0 -> lazy.predict(x[(k + 1) % 5], out);
                case 1 -> lazy.loss(x[(k + 2) % 5], t[(k + 2) % 5]);
                case 2 -> lazy.gradient(x[(k + 3) % 5], t[(k + 3) % 5], gradient);
                case 3 -> assertTrue(java.util.Arrays.equals(eager.weights(1), lazy.weights(1)), "W1 after step " + k);
                case 4 -> assertTrue(java.util.Arrays.equals(NetworkCodec.encode(eager), NetworkCodec.encode(lazy)), "codec after step " + k);
                default -> lazy = lazy.copy();
            }
        }
        assertTrue(java.util.Arrays.equals(eager.parameters(), lazy.parameters()), "parameters after 60 steps");

        // a refused step: its forward pass applies the pending update, then the loss overflows
        lazy.step(x[0], t[0]);
        eager.step(x[0], t[0]);
        double[] huge = {1e200, 0, 0};
        Network refusing = lazy;
        assertThrows(StepRejectedException.class, () -> refusing.step(x[1], huge));
        assertTrue(java.util.Arrays.equals(eager.parameters(), refusing.parameters()), "parameters after a refused step");
        assertEquals(eager.step(), refusing.step());
    }

    /** The fingerprints computed by {@link #main} in a JVM started with {@code flag}. */
    private static Map<String, String> inChildJvm(String flag) throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(!flag.contains("AVX") || arch.equals("amd64") || arch.equals("x86_64"), "-XX:UseAVX exists on x86 only, not " + arch);
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), flag,
                "-cp", System.getProperty("java.class.path"), CoreFingerprintTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    /** Prints {@code name=hash} per case: the child JVM's side of the tests, and how the hashes were recorded. */
    public static void main(String[] args) throws Exception {
        fingerprints().forEach((k, v) -> System.out.println(k + "=" + v));
    }
}
