package io.backpropstreams.it;

import io.backpropstreams.it.fault.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when {@code demo} and {@code run} write to a pipe or a log (a child process
 * whose output is a file, as in {@code demo | cat}), with default settings: progress as plain
 * lines, no carriage-return frames, and no WARN line from Kafka that a user could not act on.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CleanOutputIT {

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @TempDir
    Path dir;

    /** Under target/, not the OS temp directory (which Kafka Streams rightly warns against). */
    /**
     * JVM options that give a child a home and a temp directory of its own, fresh each time, so
     * that its default state directory ({@code ~/.backprop-streams/state}) starts empty and is, as
     * on a user's machine, outside the temp directory, wherever this clone lives (even under /tmp).
     */
    static List<String> ownHomeAndTemp() throws java.io.IOException {
        Path root = Path.of(System.getProperty("basedir", "."), "target", "clean-output-it", "child-" + System.nanoTime())
                .toAbsolutePath();
        java.nio.file.Files.createDirectories(root.resolve("home"));
        java.nio.file.Files.createDirectories(root.resolve("tmp"));
        return List.of("-Duser.home=" + root.resolve("home"), "-Djava.io.tmpdir=" + root.resolve("tmp"));
    }

    static void assertClean(String what, String output) {
        assertFalse(output.contains("\r"), what + " draws no carriage-return frames into a pipe:\n" + output);
        List<String> warnings = output.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
        assertTrue(warnings.isEmpty(), what + " prints no WARN or ERROR lines:\n" + String.join("\n", warnings));
    }

    @Test
    void demoIntoAPipeHasPlainProgressAndNoWarnings() throws Exception {
        try (ChildJvm demo = ChildJvm.start("clean-demo", dir, List.of("demo", "--steps", "2000", "--output-dir", dir.toString()))) {
            assertTrue(demo.awaitExit(Duration.ofSeconds(180)), "the demo finishes\n" + demo.describeOutput());
            assertEquals(0, demo.exitCode(), demo.describeOutput());
            String all = demo.stdout() + demo.stderr();
            assertTrue(demo.stderr().contains("replaying the lecture sample") && demo.stderr().contains("100%"),
                    "progress is shown as lines:\n" + demo.stderr());
            assertTrue(demo.stdout().contains("bit-identical"), demo.describeOutput());
            assertClean("demo", all);
        }
    }

    @Test
    void runWithDefaultsPrintsNoWarnings() throws Exception {
        // every default, the state directory included, in a home of its own
        try (ChildJvm run = ChildJvm.start("clean-run", dir, List.of("run", "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--http-port", "0"), java.util.Map.of(), ownHomeAndTemp());
             ChildJvm replay = ChildJvm.start("clean-replay", dir, List.of("replay", "--bootstrap-servers",
                     KAFKA.bootstrapServers(), "--times", "2000"))) {
            run.awaitOutput("Trainer running", Duration.ofSeconds(120));
            assertTrue(replay.awaitExit(Duration.ofSeconds(120)), replay.describeOutput());
            assertEquals(0, replay.exitCode(), replay.describeOutput());
            assertClean("replay", replay.stdout() + replay.stderr());
            assertEquals(0, run.terminate(Duration.ofSeconds(60)), run.describeOutput());
            assertTrue(run.stdout().contains("Trainer stopped cleanly."), run.describeOutput());
            assertClean("run", run.stdout() + run.stderr());
        }
    }
}
