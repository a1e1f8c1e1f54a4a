package io.backpropstreams.it.robust;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.cli.RunCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A secured cluster started with the product alone, as {@code docs/security.md} tells an operator:
 * {@code broker --sasl-users FILE} (SCRAM logins, the authorizer, a super user), then
 * {@code acl grant-trainer} and {@code acl grant-producer} as that super user. {@code run} and
 * {@code replay} then work as their own principals with those narrow ACLs (creating the trainer's
 * internal topics, restarting, restoring the store from its changelog), and each misconfiguration
 * is refused with one line naming the cause and exit code 1.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SecureBrokerCommandIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static CliRun broker;
    private static String bootstrap;
    /** The trainer, started first as a user would: it creates its topics, with the CREATE the trainer's ACLs give. */
    private static CliRun run;

    @BeforeAll
    static void startASecuredBrokerAndGrantTheAcls() throws Exception {
        Path users = secretFile("users.txt", """
                # name=password, one per line
                admin=admin-secret-1
                trainer=trainer-secret-1
                producer=producer-secret-1
                sampler=sampler-secret-1
                """);
        broker = CliRun.start("broker", "--sasl-users", users.toString(), "--port", "0", "--data-dir", dir.resolve("kafka").toString());
        broker.awaitOut("clients need security.protocol=SASL_PLAINTEXT", WAIT);
        Matcher m = Pattern.compile("ready at (\\S+) ").matcher(broker.out());
        assertTrue(m.find(), broker.out());
        bootstrap = m.group(1);
        assertFalse((broker.out() + broker.err()).contains("secret-1"), "no password is printed:\n" + broker.out() + broker.err());

        for (String user : new String[] {"admin", "trainer", "producer", "sampler"}) {
            clientConfig(user + ".properties", user, user + "-secret-1", "state.dir=" + dir.resolve("state-" + user) + "\n");
        }
        ok(cli("acl", "grant-trainer", "User:trainer", "--config", conf("admin")));
        ok(cli("acl", "grant-producer", "User:producer", "--models", "--config", conf("admin")));
        ok(cli("acl", "grant-producer", "User:sampler", "--config", conf("admin")));
        run = CliRun.start("run", "-b", bootstrap, "--config", conf("trainer"), "--http-port", "0");
        run.awaitOut("Trainer running", WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (run != null && !run.exit.isDone()) {
            ((RunCommand) run.command("run")).requestStop();
            run.awaitExit(WAIT);
        }
        if (broker != null) {
            broker.interruptAndAwait(WAIT);
        }
    }

    @Test
    void runAndReplayTrainAsTheirOwnPrincipalsAndRestoreAfterARestart() throws Exception {
        Path spec = Files.writeString(dir.resolve("xor.json"), "{\"layers\":[2,3,1],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":42}");
        ok(cli("model", "create", "xor", "--spec", spec.toString(), "--config", conf("producer")));

        ok(cli("replay", "--times", "200", "--quiet", "--config", conf("producer")));
        awaitStep(run, "lecture", 200);
        awaitStep(run, "xor", 0);
        ((RunCommand) run.command("run")).requestStop();
        assertEquals(0, run.awaitExit(WAIT), run.out() + run.err());

        // a new state directory: the model comes back from its changelog, as after losing the disk
        clientConfig("trainer-2.properties", "trainer", "trainer-secret-1", "state.dir=" + dir.resolve("state-trainer-2") + "\n");
        CliRun again = CliRun.start("run", "-b", bootstrap, "--config", conf("trainer-2"), "--http-port", "0");
        again.awaitOut("Trainer running", WAIT);
        awaitStep(again, "lecture", 200);
        ok(cli("replay", "--times", "100", "--quiet", "--config", conf("producer")));
        awaitStep(again, "lecture", 300);
        ((RunCommand) again.command("run")).requestStop();
        assertEquals(0, again.awaitExit(WAIT), again.out() + again.err());
        assertFalse((run.err() + again.err()).contains("\tat "), "no stack traces:\n" + run.err() + again.err());

        CliRun list = ok(cli("acl", "list", "--principal", "User:trainer", "--config", conf("admin")));
        assertTrue(list.out().contains("TOPIC backprop-streams- (PREFIXED)  CREATE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE"), list.out());
        assertFalse(Pattern.compile("\\bALL\\b").matcher(list.out()).find(), "no ALL anywhere: " + list.out());
    }

    @Test
    void aWrongPasswordIsOneLine() throws Exception {
        clientConfig("wrong.properties", "trainer", "not-the-password", "");
        CliRun r = refused(cli("model", "list", "--config", conf("wrong")));
        assertTrue(r.err().contains("authentication failed at " + bootstrap), r.err());
    }

    @Test
    void plaintextToTheSaslPortNamesSecurityProtocol() throws Exception {
        CliRun r = refused(cli("model", "list", "-b", bootstrap));
        assertTrue(r.err().contains("security.protocol"), r.err());
        assertFalse(r.err().contains("is a broker running there"), "a broker is running there: " + r.err());
    }

    @Test
    void aMalformedJaasConfigNamesTheProblemAndWhere() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad-jaas.properties"), "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"trainer\" password=\"s3cret-value\"\n");
        CliRun r = refused(cli("model", "list", "-b", bootstrap, "--config", bad.toString()));
        assertTrue(r.err().contains("invalid sasl.jaas.config in " + bad) && r.err().contains("semi-colon") && r.err().contains("at character"),
                r.err());
        assertFalse(r.err().contains("s3cret-value"), "the password is not echoed: " + r.err());
    }

    @Test
    void aProducerWithoutModelsRightsCannotCreateModels() throws Exception {
        Path spec = Files.writeString(dir.resolve("m.json"), "{\"layers\":[2,2],\"learningRate\":0.5}");
        CliRun r = refused(cli("model", "create", "m", "--spec", spec.toString(), "--config", conf("sampler")));
        assertTrue(r.err().toLowerCase(Locale.ROOT).contains("not authorized"), r.err());
        // but it may send samples (to a model of its own, which no test counts the steps of)
        ok(cli("replay", "--times", "5", "--model", "sampler-check", "--quiet", "--config", conf("sampler")));
    }

    @Test
    void watchWithoutReadIsOneLine() throws Exception {
        CliRun r = refused(cli("watch", "weights", "--max", "1", "--idle-timeout", "10", "--config", conf("producer")));
        assertTrue(r.err().toLowerCase(Locale.ROOT).contains("not authorized"), r.err());
    }

    @Test
    void onlyTheSuperUserGrants() throws Exception {
        CliRun r = refused(cli("acl", "grant-trainer", "User:mallory", "--config", conf("trainer")));
        assertTrue(r.err().contains("not authorized"), r.err());
    }

    // ---------------------------------------------------------------- helpers

    private static CliRun cli(String... args) throws Exception {
        String[] full = args;
        if (!java.util.Arrays.asList(args).contains("-b")) {
            full = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("-b", bootstrap))
                    .toArray(String[]::new);
        }
        return CliRun.run(WAIT, full);
    }

    private static CliRun ok(CliRun r) throws Exception {
        assertEquals(0, r.exitCode(), String.join(" ", r.args) + ":\n" + r.out() + r.err());
        return r;
    }

    /** Exit code 1 and one line on stderr, without a stack trace. */
    private static CliRun refused(CliRun r) throws Exception {
        assertEquals(1, r.exitCode(), String.join(" ", r.args) + ":\n" + r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line:\n" + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        return r;
    }

    private static String conf(String name) {
        return dir.resolve(name + ".properties").toString();
    }

    private static void clientConfig(String name, String user, String password, String extra) throws IOException {
        secretFile(name, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";\n" + extra);
    }

    private static Path secretFile(String name, String content) throws IOException {
        Path f = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static void awaitStep(CliRun run, String model, long step) {
        Matcher m = Pattern.compile("HTTP on port (\\d+)").matcher(run.out());
        assertTrue(m.find(), run.out());
        int port = Integer.parseInt(m.group(1));
        RobustSupport.await(model + " at step " + step, WAIT, () -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models/" + model))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("step").asLong() : -1L;
        }, s -> s == step);
    }
}
