package io.backpropstreams.nn;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sets each summary figure the lecture prints beside the two update rules and says which rule
 * reproduces it.
 *
 * <p>The lecture's figures disagree with one another: its hand-worked w1⁺..w8⁺ are the true
 * gradient ({@link UpdateRule#SIMULTANEOUS}); its "error after the first round" and its final
 * outputs come from {@link UpdateRule#SEQUENTIAL}; and its "error after 10,000 rounds" is the
 * simultaneous error after 9,999 steps. A figure is reproduced when our value, rounded to the
 * decimals the lecture prints, equals the printed value.
 *
 * <p>The numbers come from parameter snapshots, so the same comparison serves the in-process core
 * and the weights read back from Kafka.
 */
public final class LectureReproduction {

    /** The steps at which the lecture reports figures, and the one before its last. */
    public static final long[] LECTURE_STEPS = {0, 1, 9_999, 10_000};

    /** The error and outputs of a lecture network after {@code step} updates. */
    public record Checkpoint(long step, double error, double[] output, double[] parameters) {
    }

    /**
     * One printed figure of the lecture beside our two rules at the same step.
     *
     * @param figure       what the lecture calls it
     * @param printed      the lecture's text, e.g. {@code "0.291027924"}
     * @param step         after how many updates we evaluate it
     * @param simultaneous our value under the simultaneous rule
     * @param sequential   our value under the sequential rule
     */
    public record Figure(String figure, String printed, long step, double simultaneous, double sequential) {

        /** True if {@code value} rounded to the printed decimals is the printed value. */
        public boolean matches(double value) {
            BigDecimal p = new BigDecimal(printed);
            double half = 0.5 * Math.pow(10, -p.scale());
            return Math.abs(value - p.doubleValue()) <= half * (1 + 1e-9);
        }

        /** {@code "simultaneous"}, {@code "sequential"}, {@code "both"} or {@code "neither"}. */
        public String reproducedBy() {
            boolean sim = matches(simultaneous);
            boolean seq = matches(sequential);
            return sim && seq ? "both" : sim ? "simultaneous" : seq ? "sequential" : "neither";
        }
    }

    private static final String[] W_PRINTED = {
        "0.149780716", "0.19956143", "0.24975114", "0.29950229", "0.35891648", "0.408666186", "0.51130127", "0.561370121",
    };

    private LectureReproduction() {
    }

    /**
     * Trains a lecture-initialised network of {@code spec} for {@code steps} steps on the lecture
     * sample and returns its parameters at step 0 and at each of {@code wanted} that is ≤ {@code steps}.
     */
    public static Map<Long, double[]> snapshots(NetworkSpec spec, long steps, long... wanted) {
        Network net = Lecture.network(spec);
        Map<Long, double[]> result = new TreeMap<>();
        result.put(0L, net.parameters());
        long[] sorted = wanted.clone();
        java.util.Arrays.sort(sorted);
        int next = 0;
        for (long s = 1; s <= steps; s++) {
            net.step(Lecture.INPUT, Lecture.TARGET);
            while (next < sorted.length && sorted[next] < s) {
                next++;
            }
            if (next < sorted.length && sorted[next] == s) {
                result.put(s, net.parameters());
            }
        }
        return result;
    }

    /** The lecture-sample error and outputs of a network of {@code spec} with these parameters. */
    public static Checkpoint evaluate(NetworkSpec spec, long step, double[] parameters) {
        Network net = new Network(spec, parameters);
        double error = net.loss(Lecture.INPUT, Lecture.TARGET);
        double[] out = new double[spec.outputSize()];
        net.copyOutput(out);
        return new Checkpoint(step, error, out, parameters.clone());
    }

    /**
     * The comparison table. Both maps need checkpoints at steps 0 and 1; the 10,000-round rows
     * appear when both hold steps 9,999 and 10,000.
     */
    public static List<Figure> compare(Map<Long, Checkpoint> simultaneous, Map<Long, Checkpoint> sequential) {
        List<Figure> rows = new ArrayList<>();
        rows.add(errorRow("error before training", "0.298371109", 0, simultaneous, sequential));
        rows.add(errorRow("error after the first round", "0.291027924", 1, simultaneous, sequential));
        for (int k = 0; k < 8; k++) {
            rows.add(new Figure("w" + (k + 1) + "⁺ after the first round", W_PRINTED[k], 1,
                    w(simultaneous.get(1L), k), w(sequential.get(1L), k)));
        }
        if (has(simultaneous, sequential, 10_000) && has(simultaneous, sequential, 9_999)) {
            rows.add(errorRow("error after 10,000 rounds", "0.0000351085", 10_000, simultaneous, sequential));
            rows.add(errorRow("error after 10,000 rounds", "0.0000351085", 9_999, simultaneous, sequential));
            rows.add(new Figure("o1 after 10,000 rounds", "0.015912196", 10_000,
                    simultaneous.get(10_000L).output()[0], sequential.get(10_000L).output()[0]));
            rows.add(new Figure("o2 after 10,000 rounds", "0.984065734", 10_000,
                    simultaneous.get(10_000L).output()[1], sequential.get(10_000L).output()[1]));
        }
        return rows;
    }

    private static boolean has(Map<Long, Checkpoint> a, Map<Long, Checkpoint> b, long step) {
        return a.containsKey(step) && b.containsKey(step);
    }

    private static Figure errorRow(String name, String printed, long step, Map<Long, Checkpoint> sim, Map<Long, Checkpoint> seq) {
        return new Figure(name, printed, step, sim.get(step).error(), seq.get(step).error());
    }

    private static double w(Checkpoint c, int k) {
        double[] p = c.parameters();
        return k < 4 ? p[k] : p[k + 2];
    }
}
