package io.backpropstreams.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.backpropstreams.nn.LectureReproduction.Checkpoint;
import io.backpropstreams.nn.LectureReproduction.Figure;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a {@link LectureReport} as text for people or as one JSON object for scripts.
 * Every number is printed in full (shortest round-trip form), so the output can be checked to the
 * last digit.
 */
public final class LectureReportPrinter {

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private LectureReportPrinter() {
    }

    /** The human-readable report. */
    public static void printText(LectureReport r, PrintWriter out) {
        NetworkSpec spec = r.spec();
        Network n = r.initial();
        out.printf(Locale.ROOT, "Lecture network 2-2-2 sigmoid, η = %s, rule %s, biases %s, %,d steps%n%n",
                num(spec.learningRate()), spec.updateRule().id(), spec.trainBiases() ? "trained" : "frozen", r.steps());
        out.println("Forward pass, before training (input 0.05, 0.10; target 0.01, 0.99)");
        double[] netH = n.netInput(1);
        double[] outH = n.layerOutput(1);
        double[] netO = n.netInput(2);
        double[] outO = n.layerOutput(2);
        double[] target = io.backpropstreams.nn.Lecture.TARGET;
        double eo1 = 0.5 * (target[0] - outO[0]) * (target[0] - outO[0]);
        double eo2 = 0.5 * (target[1] - outO[1]) * (target[1] - outO[1]);
        out.printf(Locale.ROOT, "  net_h1 = %-22s out_h1 = %s%n", num(netH[0]), num(outH[0]));
        out.printf(Locale.ROOT, "  net_h2 = %-22s out_h2 = %s%n", num(netH[1]), num(outH[1]));
        out.printf(Locale.ROOT, "  net_o1 = %-22s out_o1 = %s%n", num(netO[0]), num(outO[0]));
        out.printf(Locale.ROOT, "  net_o2 = %-22s out_o2 = %s%n", num(netO[1]), num(outO[1]));
        out.printf(Locale.ROOT, "  E_o1 = %s   E_o2 = %s   E_total = %s%n%n", num(eo1), num(eo2), num(eo1 + eo2));

        out.println("Backpropagation, step 1 (true gradient at the initial weights)");
        double[] dO = n.delta(2);
        double[] dH = n.delta(1);
        out.printf(Locale.ROOT, "  δ_o1 = %s   δ_o2 = %s%n", num(dO[0]), num(dO[1]));
        out.printf(Locale.ROOT, "  δ_h1 = %s   δ_h2 = %s%n", num(dH[0]), num(dH[1]));
        double[] g = r.gradient();
        for (int k = 0; k < 8; k++) {
            out.printf(Locale.ROOT, "  ∂E/∂w%d = %s%n", k + 1, num(g[weightIndex(k)]));
        }
        if (spec.trainBiases()) {
            out.printf(Locale.ROOT, "  ∂E/∂b_h = %s, %s   ∂E/∂b_o = %s, %s%n", num(g[4]), num(g[5]), num(g[10]), num(g[11]));
        }
        out.println();
        out.println("Weights after step 1" + (spec.updateRule().id().equals("sequential")
                ? " (sequential: w1..w4 use the deltas of the updated w5..w8)" : ""));
        double[] p1 = r.afterStep1();
        for (int k = 0; k < 8; k++) {
            out.printf(Locale.ROOT, "  w%d⁺ = %s%n", k + 1, num(p1[weightIndex(k)]));
        }
        if (spec.trainBiases()) {
            out.printf(Locale.ROOT, "  b_h⁺ = %s, %s   b_o⁺ = %s, %s%n", num(p1[4]), num(p1[5]), num(p1[10]), num(p1[11]));
        }
        out.println();
        out.println("Training on the same sample: error and outputs after each step count");
        out.printf(Locale.ROOT, "  %8s  %-24s %-22s %-22s%n", "steps", "E_total", "out_o1", "out_o2");
        for (Checkpoint c : r.checkpoints().values()) {
            out.printf(Locale.ROOT, "  %,8d  %-24s %-22s %-22s%n", c.step(), num(c.error()), num(c.output()[0]), num(c.output()[1]));
        }
        out.println();
        printFigures(r.figures(), out);
        out.flush();
    }

    /** The reproduction table: each lecture figure beside both rules (lecture setup). */
    public static void printFigures(List<Figure> figures, PrintWriter out) {
        out.println("The lecture's figures against both update rules (frozen biases, η = 0.5)");
        out.printf(Locale.ROOT, "  %-28s %6s  %-14s %-20s %-20s %s%n", "figure", "steps", "lecture", "simultaneous", "sequential", "reproduced by");
        for (Figure f : figures) {
            out.printf(Locale.ROOT, "  %-28s %,6d  %-14s %-20s %-20s %s%n", f.figure(), f.step(), f.printed(),
                    mark(f, f.simultaneous()), mark(f, f.sequential()), f.reproducedBy());
        }
        out.println();
        out.println("  The hand-worked w1⁺..w8⁺ are the true gradient (simultaneous rule). The error after the first");
        out.println("  round and the final outputs come from the lecture's first code, which updates w5..w8 before");
        out.println("  computing the hidden deltas from them (sequential rule). Its \"0.0000351085 after 10,000 rounds\"");
        out.println("  is the simultaneous error after 9,999 steps; after 10,000 it is "
                + figures.stream().filter(f -> f.step() == 10_000 && f.figure().startsWith("error"))
                        .map(f -> sig(f.simultaneous(), 11)).findFirst().orElse("(run 10,000 steps)") + ".");
    }

    /** The whole report as one JSON object. */
    public static void printJson(LectureReport r, PrintWriter out) {
        out.println(toJson(r));
        out.flush();
    }

    /** The whole report as one JSON string. */
    public static String toJson(LectureReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        NetworkSpec spec = r.spec();
        root.put("network", Map.of("layers", spec.layers(), "activation", "sigmoid",
                "learningRate", spec.learningRate(), "updateRule", spec.updateRule().id(), "trainBiases", spec.trainBiases()));
        root.put("steps", r.steps());
        Network n = r.initial();
        Map<String, Object> fwd = new LinkedHashMap<>();
        fwd.put("net_h", n.netInput(1));
        fwd.put("out_h", n.layerOutput(1));
        fwd.put("net_o", n.netInput(2));
        fwd.put("out_o", n.layerOutput(2));
        fwd.put("E_total", r.checkpoints().isEmpty() ? null : errorBefore(r));
        root.put("forward", fwd);
        Map<String, Object> grad = new LinkedHashMap<>();
        grad.put("delta_o", n.delta(2));
        grad.put("delta_h", n.delta(1));
        grad.put("dE_dw", w1ToW8(r.gradient()));
        grad.put("dE_db", new double[] {r.gradient()[4], r.gradient()[5], r.gradient()[10], r.gradient()[11]});
        root.put("gradients_step1", grad);
        root.put("w_after_step1", w1ToW8(r.afterStep1()));
        root.put("biases_after_step1", new double[] {r.afterStep1()[4], r.afterStep1()[5], r.afterStep1()[10], r.afterStep1()[11]});
        List<Map<String, Object>> cps = new ArrayList<>();
        for (Checkpoint c : r.checkpoints().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", c.step());
            m.put("E_total", c.error());
            m.put("output", c.output());
            cps.add(m);
        }
        root.put("checkpoints", cps);
        List<Map<String, Object>> figs = new ArrayList<>();
        for (Figure f : r.figures()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("figure", f.figure());
            m.put("lecture", f.printed());
            m.put("step", f.step());
            m.put("simultaneous", f.simultaneous());
            m.put("sequential", f.sequential());
            m.put("reproducedBy", f.reproducedBy());
            figs.add(m);
        }
        root.put("lectureFigures", figs);
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double errorBefore(LectureReport r) {
        double[] o = r.initial().layerOutput(2);
        double[] t = io.backpropstreams.nn.Lecture.TARGET;
        return r.spec().loss().value(o, t, 2);
    }

    private static double[] w1ToW8(double[] p) {
        double[] w = new double[8];
        for (int k = 0; k < 8; k++) {
            w[k] = p[weightIndex(k)];
        }
        return w;
    }

    /** Index of w(k+1) in the lecture network's flat parameter vector (biases sit at 4,5 and 10,11). */
    private static int weightIndex(int k) {
        return k < 4 ? k : k + 2;
    }

    private static String mark(Figure f, double value) {
        return sig(value, 11) + (f.matches(value) ? " ✓" : " ✗");
    }

    /**
     * A figure in full precision, always in plain decimal notation: the shortest decimal that reads
     * back as the same double (Java's {@code Double.toString} digits), never in E-notation, so
     * that 0.39249999999999996 and 0.00043856773447434685 print alike and line up.
     */
    static String num(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return Double.toString(x);
        }
        return new BigDecimal(Double.toString(x)).toPlainString();
    }

    /** {@code x} to {@code digits} significant figures, in the same plain decimal notation as {@link #num}. */
    static String sig(double x, int digits) {
        return new BigDecimal(x).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }
}
