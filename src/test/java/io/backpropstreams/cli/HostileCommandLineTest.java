package io.backpropstreams.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad command-line input: one clear line naming the value, a non-zero exit, and no stack trace unless --verbose. */
class HostileCommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aBinaryFileIsNamedAsNotText(@TempDir Path dir) throws IOException {
        Path bin = Files.write(dir.resolve("samples.bin"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, (byte) 0xC3, 0x28});
        assertEquals(1, run("produce", "--model", "lecture", "--file", bin.toString(), "-b", "127.0.0.1:1"));
        assertEquals("error: sample file '" + bin + "' is not UTF-8 text; produce reads JSON lines or CSV", err.toString().strip());
    }

    @Test
    void aGarbageBootstrapAddressIsOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path good = Files.writeString(dir.resolve("s.jsonl"), "{\"input\":[0.05,0.1],\"target\":[0.01,0.99]}\n");
        assertEquals(1, run("produce", "--model", "lecture", "--file", good.toString(), "-b", "::garbage::"));
        assertEquals("error: invalid Kafka setting: Invalid url in bootstrap.servers: ::garbage::", err.toString().strip());
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void anUnreachableClusterFailsAfterTimeoutNamingTheAddressTried() {
        long start = System.nanoTime();
        assertEquals(1, run("model", "list", "-b", "127.0.0.1:1", "--timeout", "2"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("error: No Kafka broker answered at 127.0.0.1:1 within 2000 ms (is a broker running there?)", err.toString().strip());
        assertTrue(seconds < 15, "took " + seconds + " s");
    }

    @Test
    void aNegativeInputCountIsShownAsGiven() {
        assertEquals(2, run("produce", "--model", "lecture", "--format", "csv", "--inputs", "-1"));
        assertTrue(err.toString().startsWith("--format csv needs --inputs N (N ≥ 1), got -1"), err.toString());
    }

    @Test
    void invalidModelIdsAreUsageErrorsEverywhere() {
        for (String[] args : new String[][] {{"model", "create", "", "--spec", "x.json"}, {"model", "create", "a/b", "--spec", "x.json"},
                {"model", "reset", "<img>"}, {"produce", "--model", "a b"}, {"replay", "--model", ".."}}) {
            err.getBuffer().setLength(0);
            assertEquals(2, run(args), String.join(" ", args) + "\n" + err);
            assertTrue(err.toString().startsWith("model id "), String.join(" ", args) + ": " + err);
        }
    }
}
