package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.UpdateRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code lecture} command, run through the same command line as {@code main}. */
class LectureCommandTest {

    /** What one run printed. */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void lecturePrintsTheLectureFiguresAndExitsZero() {
        Run r = run("lecture");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        String out = r.out();
        assertContains(out, "rule simultaneous, biases frozen");
        assertContains(out, "E_total = 0.2983711087600027");
        assertContains(out, "net_h1 = 0.3775");
        assertContains(out, "out_o1 = 0.7513650695523157");
        Network initial = Lecture.network();
        double[] g = new double[12];
        initial.gradient(Lecture.INPUT, Lecture.TARGET, g);
        assertContains(out, "δ_o1 = " + initial.delta(2)[0]);
        assertContains(out, "δ_h2 = " + initial.delta(1)[1]);
        assertContains(out, "∂E/∂w5 = " + g[6]);
        assertContains(out, "∂E/∂w5 = 0.082167040564230"); // the lecture's 0.0821, to the golden figure's precision
        assertContains(out, "w1⁺ = 0.1497807161327628");
        assertContains(out, "w8⁺ = 0.5613701211079891");

        // the reproduction table: the printed 0.0000351085 is the simultaneous error after 9,999 steps, not 10,000
        List<String> rows = linesContaining(out, "error after 10,000 rounds");
        assertEquals(2, rows.size(), out);
        String row10000 = rows.stream().filter(l -> l.contains(String.format("%,d", 10_000) + "  0.0000351085")).findFirst()
                .orElseThrow(() -> new AssertionError("no 10,000-step row in\n" + out));
        String row9999 = rows.stream().filter(l -> l.contains(String.format("%,d", 9_999) + "  0.0000351085")).findFirst()
                .orElseThrow(() -> new AssertionError("no 9,999-step row in\n" + out));
        assertTrue(row9999.strip().endsWith("simultaneous"), row9999);
        assertTrue(row10000.strip().endsWith("neither"), row10000);
        assertTrue(linesContaining(out, "error after the first round").get(0).strip().endsWith("sequential"));
        assertTrue(linesContaining(out, "w1⁺ after the first round").get(0).strip().endsWith("simultaneous"));
        assertTrue(linesContaining(out, "o1 after 10,000 rounds").get(0).strip().endsWith("sequential"));
        assertTrue(linesContaining(out, "o2 after 10,000 rounds").get(0).strip().endsWith("sequential"));
        // the simultaneous error after 10,000 steps, to 11 significant digits
        assertContains(out, "after 10,000 it is 0.00003510187783.");
    }

    @Test
    void lectureJsonIsOneObjectWithTheCoresNumbers() throws Exception {
        Run r = run("lecture", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one line of JSON");
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertTrue(root.isObject());

        assertEquals(10_000, root.get("steps").asLong());
        assertEquals("simultaneous", root.get("network").get("updateRule").asText());
        assertEquals(false, root.get("network").get("trainBiases").asBoolean());

        // forward pass and gradients: the core's numbers, to the last bit
        Network initial = Lecture.network();
        double[] g = new double[12];
        double e0 = initial.gradient(Lecture.INPUT, Lecture.TARGET, g);
        assertEquals(e0, root.get("forward").get("E_total").asDouble());
        assertArray(initial.netInput(1), root.get("forward").get("net_h"));
        assertArray(initial.layerOutput(2), root.get("forward").get("out_o"));
        assertArray(initial.delta(2), root.get("gradients_step1").get("delta_o"));
        assertArray(initial.delta(1), root.get("gradients_step1").get("delta_h"));
        assertArray(new double[] {g[0], g[1], g[2], g[3], g[6], g[7], g[8], g[9]}, root.get("gradients_step1").get("dE_dw"));

        // trajectory checkpoints
        Map<Long, Network> sim = train(UpdateRule.SIMULTANEOUS, 1, 10, 100, 1000, 9_999, 10_000);
        Map<Long, Network> seq = train(UpdateRule.SEQUENTIAL, 1, 9_999, 10_000);
        assertArray(Lecture.w1ToW8(sim.get(1L)), root.get("w_after_step1"));
        List<Long> steps = new ArrayList<>();
        for (JsonNode c : root.get("checkpoints")) {
            long step = c.get("step").asLong();
            steps.add(step);
            assertEquals(error(sim.get(step)), c.get("E_total").asDouble(), 0.0, "E_total at " + step);
            assertArray(output(sim.get(step)), c.get("output"));
        }
        assertEquals(List.of(1L, 10L, 100L, 1000L, 10_000L), steps);

        // the lecture figures
        JsonNode figures = root.get("lectureFigures");
        assertEquals(14, figures.size());
        List<String> verdicts = new ArrayList<>();
        for (JsonNode f : figures) {
            verdicts.add(f.get("figure").asText() + " @" + f.get("step").asLong() + " → " + f.get("reproducedBy").asText());
        }
        assertEquals(List.of(
                "error before training @0 → both",
                "error after the first round @1 → sequential",
                "w1⁺ after the first round @1 → simultaneous",
                "w2⁺ after the first round @1 → simultaneous",
                "w3⁺ after the first round @1 → simultaneous",
                "w4⁺ after the first round @1 → simultaneous",
                "w5⁺ after the first round @1 → both",
                "w6⁺ after the first round @1 → both",
                "w7⁺ after the first round @1 → both",
                "w8⁺ after the first round @1 → both",
                "error after 10,000 rounds @10000 → neither",
                "error after 10,000 rounds @9999 → simultaneous",
                "o1 after 10,000 rounds @10000 → sequential",
                "o2 after 10,000 rounds @10000 → sequential"), verdicts);
        assertEquals("0.0000351085", figures.get(11).get("lecture").asText());
        assertFigure(figures.get(0), e0, e0);
        assertFigure(figures.get(1), error(sim.get(1L)), error(seq.get(1L)));
        for (int k = 0; k < 8; k++) {
            assertFigure(figures.get(2 + k), Lecture.w1ToW8(sim.get(1L))[k], Lecture.w1ToW8(seq.get(1L))[k]);
        }
        assertFigure(figures.get(10), error(sim.get(10_000L)), error(seq.get(10_000L)));
        assertFigure(figures.get(11), error(sim.get(9_999L)), error(seq.get(9_999L)));
        assertFigure(figures.get(12), output(sim.get(10_000L))[0], output(seq.get(10_000L))[0]);
        assertFigure(figures.get(13), output(sim.get(10_000L))[1], output(seq.get(10_000L))[1]);
        // the printed 10,000-round error is not the simultaneous error after 10,000 steps
        assertNotEquals("0.0000351085", String.format(java.util.Locale.ROOT, "%.10f", figures.get(10).get("simultaneous").asDouble()));
    }

    @Test
    void sequentialRuleForOneStepPrintsTheSequentialUpdate() {
        Run r = run("lecture", "--rule", "sequential", "--steps", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertContains(r.out(), "rule sequential");
        assertContains(r.out(), "w1⁺ = 0.14981763856120295");
        assertContains(r.out(), "w5⁺ = 0.35891647971788465");
        assertContains(r.out(), "sequential: w1..w4 use the deltas of the updated w5..w8");
        // only step 1 is reported in the trajectory
        assertEquals(1, linesContaining(r.out(), "0.29102792390544197").size(), r.out());
    }

    @Test
    void trainedBiasesAndLearningRateAreApplied() throws Exception {
        Run r = run("lecture", "--train-biases", "--learning-rate", "0.25", "--steps", "3", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(0.25, root.get("network").get("learningRate").asDouble());
        assertEquals(true, root.get("network").get("trainBiases").asBoolean());
        Network net = Lecture.network(Lecture.spec(UpdateRule.SIMULTANEOUS, true).withLearningRate(0.25));
        net.step(Lecture.INPUT, Lecture.TARGET);
        double[] p = net.parameters();
        assertArray(new double[] {p[4], p[5], p[10], p[11]}, root.get("biases_after_step1"));
        assertNotEquals(Lecture.BIAS_HIDDEN, p[4]);
        // the lecture table is always the lecture setup, whatever the trained network
        assertEquals("simultaneous", root.get("lectureFigures").get(11).get("reproducedBy").asText());
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of(new String[] {"lecture", "--steps", "-5"}, "-5"),
                Arguments.of(new String[] {"lecture", "--steps", "0"}, "--steps must be at least 1, got 0"),
                Arguments.of(new String[] {"lecture", "--rule", "bogus"}, "bogus"),
                Arguments.of(new String[] {"lecture", "--learning-rate", "-1"}, "-1"),
                Arguments.of(new String[] {"lecture", "--learning-rate", "NaN"}, "NaN"),
                Arguments.of(new String[] {"lecture", "--steps", "abc"}, "abc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void badArgumentsFailWithAMessageNamingTheValue(String[] args, String named) {
        Run r = run(args);
        assertNotEquals(0, r.exitCode(), "exit code for " + String.join(" ", args));
        String firstLine = r.err().lines().findFirst().orElse("");
        assertTrue(firstLine.contains(named), "first error line \"" + firstLine + "\" should name " + named + "; err was:\n" + r.err());
        assertTrue(!firstLine.startsWith("java.") && !r.err().contains("\tat "), "a message, not a stack trace:\n" + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    @Test
    void ruleErrorListsTheValidRules() {
        Run r = run("lecture", "--rule", "bogus");
        assertContains(r.err(), "unknown update rule 'bogus', expected simultaneous or sequential");
    }

    // ------------------------------------------------------------------------------------------

    private static Map<Long, Network> train(UpdateRule rule, long... at) {
        Network net = Lecture.network(Lecture.spec(rule, false));
        Map<Long, Network> result = new TreeMap<>();
        long last = at[at.length - 1];
        int next = 0;
        for (long s = 1; s <= last; s++) {
            net.step(Lecture.INPUT, Lecture.TARGET);
            if (s == at[next]) {
                result.put(s, net.copy());
                next++;
            }
        }
        return result;
    }

    private static double error(Network net) {
        return net.loss(Lecture.INPUT, Lecture.TARGET);
    }

    private static double[] output(Network net) {
        double[] o = new double[2];
        net.predict(Lecture.INPUT, o);
        return o;
    }

    private static void assertFigure(JsonNode figure, double simultaneous, double sequential) {
        String name = figure.get("figure").asText() + " @" + figure.get("step").asLong();
        assertEquals(simultaneous, figure.get("simultaneous").asDouble(), 0.0, name + " simultaneous");
        assertEquals(sequential, figure.get("sequential").asDouble(), 0.0, name + " sequential");
    }

    private static void assertArray(double[] expected, JsonNode actual) {
        assertTrue(actual.isArray(), "JSON array expected, got " + actual);
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).asDouble(), 0.0, "entry " + i + " of " + actual);
        }
    }

    private static List<String> linesContaining(String text, String fragment) {
        return text.lines().filter(l -> l.contains(fragment)).toList();
    }

    private static void assertContains(String text, String fragment) {
        assertTrue(text.contains(fragment), "expected \"" + fragment + "\" in:\n" + text);
    }
}
