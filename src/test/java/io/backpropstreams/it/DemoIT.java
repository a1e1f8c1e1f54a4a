package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.report.LectureReport;
import io.backpropstreams.report.LectureReportPrinter;
import io.backpropstreams.cli.Main;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.UpdateRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code demo}: the lecture through Kafka, with its own embedded broker. The report it prints from
 * the records it read back must be exactly the report of the in-process core.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoIT {

    private static final long STEPS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The in-process report the demo must reproduce through Kafka. */
    private static LectureReport expected;

    @BeforeAll
    static void computeTheCoreReport() {
        System.setProperty("java.awt.headless", "true");
        expected = LectureReport.inProcess(Lecture.spec(UpdateRule.SIMULTANEOUS, false), STEPS);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run demo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void demoPrintsTheLectureReportFromKafkaAndDrawsTheCurve(@TempDir Path dir) throws Exception {
        Path outputDir = dir.resolve("out");
        Run r = demo("demo", "--steps", Long.toString(STEPS), "--output-dir", outputDir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        String out = r.out();

        // the whole report, every number in full, is the in-process core's report
        StringWriter core = new StringWriter();
        LectureReportPrinter.printText(expected, new PrintWriter(core));
        assertTrue(out.contains(core.toString()), "demo report differs from the core's:\n" + out + "\n--- expected:\n" + core);

        // the reproduction table rows, with the rule that reproduces each figure
        assertTrue(row(out, "error after the first round").endsWith("sequential"), out);
        assertTrue(row(out, "w1⁺ after the first round").endsWith("simultaneous"), out);
        assertTrue(row(out, "w4⁺ after the first round").endsWith("simultaneous"), out);
        assertTrue(row(out, "w8⁺ after the first round").endsWith("both"), "w5..w8 agree under both rules:\n" + out);
        List<String> tenThousand = out.lines().filter(l -> l.contains("error after 10,000 rounds")).map(String::strip).toList();
        assertEquals(2, tenThousand.size(), out);
        assertTrue(tenThousand.stream().anyMatch(l -> l.contains(String.format("%,d", 9_999)) && l.endsWith("simultaneous")), out);
        assertTrue(tenThousand.stream().anyMatch(l -> l.contains(String.format("%,d", 10_000)) && l.endsWith("neither")), out);
        assertTrue(row(out, "o1 after 10,000 rounds").endsWith("sequential"), out);
        assertTrue(row(out, "o2 after 10,000 rounds").endsWith("sequential"), out);
        assertTrue(out.contains("after 10,000 it is 0.00003510187783."), out);

        assertTrue(out.contains(String.format("%,d metrics", 2 * STEPS)), out);
        assertTrue(out.contains("bit-identical"), out);

        Path png = outputDir.resolve("lecture-learning-curve.png");
        assertTrue(Files.isRegularFile(png), "PNG written to " + png);
        assertTrue(out.contains(png.toAbsolutePath().toString()), "the report names the PNG:\n" + out);
        assertPng(png);
        // both rules visible: a panel each (on one axis they would lie on top of each other), and their difference
        assertEquals(300 + 3 * 240, ImageIO.read(png.toFile()).getHeight(), "three stacked panels");
        // the report's figures in one number format: plain decimals, never E-notation
        assertTrue(out.lines().noneMatch(l -> l.matches(".*\\d[eE]-?\\d.*")), "no E-notation:\n" + out);
        if (Boolean.getBoolean("bps.update.docs")) {
            // the README's picture: mvn verify -Dbps.update.docs=true -Dit.test='DemoIT,DashboardBrowserIT'
            Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
            Files.copy(png, basedir.resolve("docs/demo-learning-curve.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void demoJsonHoldsExactlyTheNumbersOfTheCore(@TempDir Path dir) throws Exception {
        Run r = demo("demo", "--json", "--steps", Long.toString(STEPS), "--output-dir", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "--json prints one JSON object and nothing else:\n" + r.out());
        JsonNode actual = JSON.readTree(lines.get(0));
        JsonNode core = JSON.readTree(LectureReportPrinter.toJson(expected));

        for (String field : List.of("checkpoints", "lectureFigures", "w_after_step1")) {
            assertNotNull(actual.get(field), field + " missing in " + actual);
            assertEquals(core.get(field), actual.get(field), field + " differs from the core");
        }
        // bit for bit, not just equal as parsed JSON nodes
        assertArrayEquals(doubles(core.get("w_after_step1")), doubles(actual.get("w_after_step1")), 0.0);
        assertEquals(5, actual.get("checkpoints").size(), "checkpoints at steps 1, 10, 100, 1000 and 10000: " + actual.get("checkpoints"));
        JsonNode last = actual.get("checkpoints").get(actual.get("checkpoints").size() - 1);
        assertEquals(STEPS, last.get("step").asLong());
        assertEquals(3.5101877830e-05, last.get("E_total").asDouble(), 1e-15, "the simultaneous error after 10,000 steps");
        // the rest of the report agrees as well
        core.fieldNames().forEachRemaining(f -> assertEquals(core.get(f), actual.get(f), f + " differs from the core"));

        assertEquals("kafka", actual.get("source").asText());
        assertTrue(actual.get("bitIdenticalToCore").asBoolean(), actual.toString());
        Path png = Path.of(actual.get("learningCurve").asText());
        assertTrue(png.startsWith(dir.toAbsolutePath()), png.toString());
        assertPng(png);
    }

    private static String row(String out, String figure) {
        return out.lines().filter(l -> l.contains(figure)).map(String::strip).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + figure + "' in\n" + out));
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }

    private static void assertPng(Path png) throws Exception {
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                "PNG signature in " + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO reads " + png);
        assertTrue(image.getWidth() > 0 && image.getHeight() > 0, "image has a size");
    }
}
