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

    @TempDir
    Path files;

    @Test
    void aUsersFileIsCheckedLineByLineWithoutEchoingPasswords() throws IOException {
        Path users = Files.writeString(files.resolve("users.txt"), "# users\nadmin=admin-secret-1\ntrainer:leaked-pw=x\n");
        assertEquals(1, run("broker", "--sasl-users", users.toString(), "--port", "0"));
        assertTrue(err.toString().contains("users.txt line 3: the user name (before the first '=')"), err.toString());
        assertTrue(!err.toString().contains("leaked-pw"), "no password echoed: " + err);

        Path noSuper = Files.writeString(files.resolve("no-super.txt"), "trainer=trainer-secret-1\n");
        assertEquals(1, run("broker", "--sasl-users", noSuper.toString(), "--port", "0"));
        assertTrue(err.toString().contains("has no line for the super user 'admin'"), err.toString());

        Path twice = Files.writeString(files.resolve("twice.txt"), "admin=admin-secret-1\nadmin=other-secret\n");
        assertEquals(1, run("broker", "--sasl-users", twice.toString(), "--port", "0"));
        assertTrue(err.toString().contains("twice.txt line 2: user 'admin' is listed twice"), err.toString());

        Path weak = Files.writeString(files.resolve("weak.txt"), "admin=a\"b\n");
        assertEquals(1, run("broker", "--sasl-users", weak.toString(), "--port", "0"));
        assertTrue(err.toString().contains("the super user's password must be 8 to 128 characters"), err.toString());
        assertTrue(!err.toString().contains("a\"b"), err.toString());
    }

    @Test
    void aConfigFileMayNotWeakenSaslUsers() throws IOException {
        Path users = Files.writeString(files.resolve("users.txt"), "admin=admin-secret-1\n");
        Path server = Files.writeString(files.resolve("server.properties"), "allow.everyone.if.no.acl.found=true\n");
        assertEquals(1, run("broker", "--sasl-users", users.toString(), "--config", server.toString(), "--port", "0"));
        assertTrue(err.toString().contains("sets 'allow.everyone.if.no.acl.found', which --sasl-users sets itself"), err.toString());
        Path listeners = Files.writeString(files.resolve("listeners.properties"), "listeners=PLAINTEXT://0.0.0.0:9092\n");
        assertEquals(1, run("broker", "--config", listeners.toString(), "--port", "0"));
        assertTrue(err.toString().contains("sets 'listeners', which the broker command sets itself"), err.toString());
        assertEquals(2, run("broker", "--sasl-users", users.toString(), "--nodes", "3"));
        assertTrue(err.toString().contains("--sasl-users secures one node"), err.toString());
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
