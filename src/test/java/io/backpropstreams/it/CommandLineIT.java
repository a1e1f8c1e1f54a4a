package io.backpropstreams.it;

import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command-line scenarios of {@link CommandLineScenarios} against one embedded broker for the
 * whole class, plus the error cases that need no cluster at all.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CommandLineIT extends CommandLineScenarios {

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    protected String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    // ------------------------------------------------------------------------------------------
    // Errors: a non-zero exit and one line that names the problem
    // ------------------------------------------------------------------------------------------

    @Test
    void runAgainstAnUnreachableClusterFailsNamingTheAddress() {
        long t0 = System.nanoTime();
        Result r = execute("run", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "3", "--http-port", "0",
                "--config", env.config.toString());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("127.0.0.1:1"), r.err());
        assertNoStackTrace(r);
        assertTrue(seconds < 20, "--timeout 3 is honoured, took " + seconds + " s");
    }

    @Test
    void modelCreateWithAMissingSpecFileNamesTheFile() {
        Result r = cli("model", "create", "x", "--spec", "/no/such.json");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("/no/such.json"), r.err());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void modelCreateWithAMalformedSpecNamesTheProblem() {
        Path wrongType = writeFile("wrong-type.json", "{\"layers\":[2,2,1],\"learningRate\":\"fast\"}");
        Result r = cli("model", "create", "x", "--spec", wrongType.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(wrongType.toString()), r.err());
        assertTrue(r.err().contains("learningRate"), r.err());
        assertNoStackTrace(r);

        Path notJson = writeFile("not-json.json", "{\"layers\":[2,2,1],");
        Result r2 = cli("model", "create", "x", "--spec", notJson.toString());
        assertEquals(1, r2.exit(), r2.out() + r2.err());
        assertTrue(r2.err().contains(notJson.toString()) && r2.err().contains("not valid JSON"), r2.err());
        assertNoStackTrace(r2);

        Path badShape = writeFile("bad-shape.json", "{\"layers\":[2],\"learningRate\":0.1}");
        Result r3 = cli("model", "create", "x", "--spec", badShape.toString());
        assertEquals(1, r3.exit(), r3.out() + r3.err());
        assertTrue(r3.err().contains("'layers' needs at least 2 entries"), r3.err());
        assertNoStackTrace(r3);
    }

    @Test
    void replayWithNegativeTimesIsAUsageError() {
        Result r = cli("replay", "--times", "-1");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("--times must be ≥ 0, got -1", r.err().lines().findFirst().orElse(""), r.err());
        assertEquals(List.of("--times must be ≥ 0, got -1", "Try 'backprop-streams replay --help' for its options and examples."),
                r.err().lines().toList(), "a usage error is its line and where to read more, not the whole help");
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void produceFromAMissingFileNamesTheFile() {
        Result r = cli("produce", "--file", "/no/such", "--model", "m");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("/no/such"), r.err());
        assertNoStackTrace(r);
    }
}
