package io.backpropstreams.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument and environment errors: each must end the command at once with a message, not a stack trace. */
class BrokerCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertEquals(2, run("broker", "--port", "70000"));
        assertTrue(err.toString().contains("--port must be in 0..65535, got 70000"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void rejectsAPortThatIsNotANumber() {
        assertEquals(2, run("broker", "--port", "kafka"));
        assertTrue(err.toString().contains("--port"), err.toString());
    }

    @Test
    void failsWhenThePortIsInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            assertEquals(1, run("broker", "--port", Integer.toString(port)));
            assertTrue(err.toString().contains("Port " + port + " on 127.0.0.1 is already in use"), err.toString());
            assertTrue(err.toString().lines().count() == 1, "one line, no stack trace: " + err);
            assertEquals("", out.toString());
        }
    }

    @Test
    void failsWhenTheDataDirIsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertEquals(1, run("broker", "--port", "0", "--data-dir", file.toString()));
        assertTrue(err.toString().contains(file + " is a file, not a directory"), err.toString());
    }

    @Test
    void failsWhenTheDataDirCannotBeCreated(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path below = file.resolve("kafka");
        assertEquals(1, run("broker", "--port", "0", "--data-dir", below.toString()));
        assertTrue(err.toString().contains("Cannot create Kafka data directory " + below), err.toString());
    }

    @Test
    void helpShowsExamples() {
        assertEquals(0, run("broker", "--help"));
        assertTrue(out.toString().contains("backprop-streams broker --data-dir"), out.toString());
    }

    @Test
    void rejectsANodeCountOutOfRange() {
        assertEquals(2, run("broker", "--nodes", "0"));
        assertTrue(err.toString().contains("--nodes must be in 1..9, got 0"), err.toString());
    }

    @Test
    void rejectsANodeIdOutsideTheCluster() {
        assertEquals(2, run("broker", "--nodes", "3", "--node-id", "4"));
        assertTrue(err.toString().contains("--node-id must be in 1..3 (--nodes 3), got 4"), err.toString());
    }

    @Test
    void aNodeOfAClusterNeedsAFixedPort() {
        assertEquals(2, run("broker", "--nodes", "3", "--node-id", "1", "--port", "0", "--data-dir", "unused"));
        assertTrue(err.toString().contains("--node-id needs a fixed --port"), err.toString());
    }

    @Test
    void rejectsABasePortWithoutRoomForEveryNode() {
        assertEquals(2, run("broker", "--nodes", "3", "--port", "65533"));
        assertTrue(err.toString().contains("--port 65533 leaves no room for the 6 ports of 3 nodes"), err.toString());
    }
}
