package io.backpropstreams.it.robust;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.cli.Main;
import io.backpropstreams.cli.RunCommand;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The trainer on a secured single-node cluster: SASL_PLAINTEXT with SCRAM-SHA-256 for clients,
 * the StandardAuthorizer with {@code allow.everyone.if.no.acl.found=false} and {@code admin} as the
 * only super user. The topics are created by {@code admin}; each trainer user gets exactly the ACLs
 * of {@code docs/security.md} (or those minus one), through the Admin API.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecuredClusterIT {

    private static final String MECHANISM = "SCRAM-SHA-256";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final String TRAINER_PASSWORD = "trainer-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A failure must be reported within this. */
    private static final long FAIL_FAST_SECONDS = 30;
    private static final int SAMPLES = 40;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code run} as user {@code trainer}: the default topics and application id, as in the docs. */
    private static final TopicNames TOPICS = TopicNames.DEFAULTS;
    private static final String APP = TrainerTopology.DEFAULT_APPLICATION_ID;
    /** The trainer as a library ({@link Trainer#start}) as user {@code library}: topics of its own. */
    private static final TopicNames LIBRARY_TOPICS = new TopicNames("library.samples", "library.models", "library.weights",
            "library.metrics", "library.dead-letters");
    private static final String LIBRARY_APP = "bps-library";

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker kafka;
    private static final ExecutorService RUNS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "secured-cli-run");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void startASecuredBrokerWithTopicsUsersAndAcls() throws Exception {
        kafka = EmbeddedKafkaBroker.builder()
                .securityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                // users created when the storage is formatted: the super user, and the trainer
                .scramCredential(MECHANISM + "=[name=admin,password=" + ADMIN_PASSWORD + "]")
                .scramCredential(MECHANISM + "=[name=trainer,password=" + TRAINER_PASSWORD + "]")
                .brokerProperty("sasl.enabled.mechanisms", MECHANISM)
                .brokerProperty("sasl.mechanism.inter.broker.protocol", MECHANISM)
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scramJaas("admin", ADMIN_PASSWORD))
                // The controller listener must authenticate too: with the authorizer on, a PLAINTEXT
                // controller listener makes the broker User:ANONYMOUS, which may not register itself.
                // SCRAM cannot serve it (its credentials live in the metadata the controller serves), so PLAIN.
                .brokerProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .brokerProperty("sasl.mechanism.controller.protocol", "PLAIN")
                .brokerProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("listener.name.controller.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                                + ADMIN_PASSWORD + "\" user_admin=\"" + ADMIN_PASSWORD + "\";")
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .brokerProperty("super.users", "User:admin")
                .brokerProperty("allow.everyone.if.no.acl.found", "false")
                .clientProperty("sasl.mechanism", MECHANISM)
                .clientProperty("sasl.jaas.config", scramJaas("admin", ADMIN_PASSWORD))
                .start();

        // The topics exist before any trainer starts: no trainer user may create them.
        Topics.createIfMissing(kafka.clientProperties(), Trainer.topicSpecs(TOPICS, 2), WAIT);
        Topics.createIfMissing(kafka.clientProperties(), Trainer.topicSpecs(LIBRARY_TOPICS, 2), WAIT);

        List<AclBinding> acls = new ArrayList<>();
        // run: the Streams ACLs, plus READ on training-progress, dead-letters and drift for its live monitor (/metrics, dashboard)
        acls.addAll(trainerAcls("trainer", APP, TOPICS));
        acls.add(allow(ResourceType.TOPIC, TOPICS.progress(), PatternType.LITERAL, "trainer", AclOperation.READ));
        acls.add(allow(ResourceType.TOPIC, TOPICS.deadLetters(), PatternType.LITERAL, "trainer", AclOperation.READ));
        acls.add(allow(ResourceType.TOPIC, TOPICS.drift(), PatternType.LITERAL, "trainer", AclOperation.READ));
        // the library use: exactly the Streams ACLs
        acls.addAll(trainerAcls("library", LIBRARY_APP, LIBRARY_TOPICS));
        // one ACL short each
        acls.addAll(without(trainerAcls("no-metrics-write", "bps-no-metrics-write", TOPICS),
                TOPICS.metrics(), AclOperation.WRITE));
        acls.addAll(without(trainerAcls("no-samples-read", "bps-no-samples-read", TOPICS),
                TOPICS.samples(), AclOperation.READ));
        acls.addAll(without(without(trainerAcls("no-metrics-at-all", "bps-no-metrics-at-all", TOPICS),
                TOPICS.metrics(), AclOperation.WRITE), TOPICS.metrics(), AclOperation.DESCRIBE));
        acls.addAll(without(trainerAcls("no-group", "bps-no-group", TOPICS), ResourceType.GROUP, "bps-no-group", AclOperation.READ));
        acls.addAll(without(trainerAcls("no-txn", "bps-no-txn", TOPICS), ResourceType.TRANSACTIONAL_ID, "bps-no-txn", AclOperation.WRITE));
        List<String> laterUsers = List.of("library", "no-metrics-write", "no-samples-read", "no-metrics-at-all", "no-group", "no-txn");
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            // users created on the running cluster, through the Admin API
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            for (String user : laterUsers) {
                users.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                        TRAINER_PASSWORD));
            }
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            RobustSupport.await(acls.size() + " ACLs in force", WAIT,
                    () -> admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS).size(),
                    n -> n == acls.size());
        }
        for (String user : laterUsers) {
            RobustSupport.await("user " + user + " able to log in", WAIT, () -> canLogIn(user), ok -> ok);
        }
    }

    @AfterAll
    static void stop() {
        RUNS.shutdownNow();
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------- tests

    /** (a) {@code run --config trainer.properties}, exactly what a user would do, trains and serves its metrics. */
    @Test
    void runWithTheTrainersConfigFileTrainsAndItsMetricsCanBeRead() throws Exception {
        Path config = configFile("trainer.properties", "trainer", TRAINER_PASSWORD, null);
        BackgroundRun run = new BackgroundRun(config);
        run.awaitRunning();

        Network expected = Lecture.network();
        List<Double> expectedLosses = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = adminProducer()) {
            Random random = new Random(7);
            for (int i = 0; i < SAMPLES; i++) {
                double[] input = {random.nextDouble(), random.nextDouble()};
                double[] target = {random.nextDouble(), random.nextDouble()};
                expectedLosses.add(expected.step(input, target));
                producer.send(new ProducerRecord<>(TOPICS.samples(), Lecture.MODEL_ID, SampleCodec.toAvro(input, target)));
            }
            producer.send(new ProducerRecord<>(TOPICS.samples(), Lecture.MODEL_ID, "not a sample".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        // read as admin from the metrics topic: one metric per sample, losses bit for bit those of the core
        assertEquals(expectedLosses, lectureLosses(TOPICS), "prequential losses of the lecture model, as admin reads them");

        // and through run's own HTTP /metrics, which needs the monitor's READ on metrics and dead-letters
        RobustSupport.await("bps_model_steps_total{model=\"lecture\"} " + SAMPLES + " and one malformed-json dead letter on /metrics",
                WAIT, () -> {
                    String body = get(run.httpPort(), "/metrics");
                    return metric(body, "bps_model_steps_total", "model=\"lecture\"") + " steps, "
                            + metric(body, "bps_dead_letters_total", "reason=\"malformed-json\"") + " dead letters";
                }, s -> s.equals((double) SAMPLES + " steps, 1.0 dead letters"));

        assertEquals(0, run.stop(), run.out() + run.err());
        assertTrue(run.out().contains("Trainer stopped cleanly."), run.out() + run.err());
    }

    /** (a') The trainer as a library, started with the same kind of properties, needs only the Streams ACLs. */
    @Test
    void theStreamsAclsAloneAreEnoughForTrainerStart() throws Exception {
        Path config = configFile("library.properties", "library", TRAINER_PASSWORD, LIBRARY_TOPICS);
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(config)) {
            props.load(r);
        }
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("application.id", LIBRARY_APP);
        Network expected = Lecture.network();
        List<Double> expectedLosses = new ArrayList<>();
        try (Trainer trainer = Trainer.start(props, 2, WAIT); KafkaProducer<String, byte[]> producer = adminProducer()) {
            for (int i = 0; i < SAMPLES; i++) {
                double[] input = {0.01 * i, 1 - 0.01 * i};
                expectedLosses.add(expected.step(input, Lecture.TARGET));
                producer.send(new ProducerRecord<>(LIBRARY_TOPICS.samples(), Lecture.MODEL_ID,
                        SampleCodec.toJson(input, Lecture.TARGET).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            assertEquals(expectedLosses, lectureLosses(LIBRARY_TOPICS), "prequential losses of the lecture model");
            assertEquals(KafkaStreams.State.RUNNING, trainer.streams().state());
        }
    }

    /** (b) A wrong password fails at once, saying that authentication failed. */
    @Test
    void aWrongPasswordFailsFastSayingAuthenticationFailed() throws Exception {
        Path config = configFile("bad.properties", "trainer", "not-the-password", null);
        Result r = runUntilExit(config);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().toLowerCase(Locale.ROOT).contains("authentication failed"), r.err());
        assertTrue(r.err().contains(MECHANISM), "names the mechanism: " + r.err());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: wrong password -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    /** (c) No WRITE on {@code metrics} (DESCRIBE only): refused before Kafka Streams starts, naming the topic. */
    @Test
    void aMissingWriteOnMetricsFailsFastNamingTheTopic() throws Exception {
        Result r = runUntilExit(configFile("no-metrics-write.properties", "no-metrics-write", TRAINER_PASSWORD, null),
                "bps-no-metrics-write");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("not authorized"), r.err());
        assertTrue(r.err().contains("WRITE on topic 'metrics'"), r.err());
        assertFalse(r.err().contains("'samples'") || r.err().contains("'weights'"), "only the missing ACL is named: " + r.err());
        assertFalse(r.out().contains("Trainer running"), "it never claims to run: " + r.out());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: no WRITE on metrics -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    /** (c) No READ on {@code samples} (DESCRIBE only). */
    @Test
    void aMissingReadOnSamplesFailsFastNamingTheTopic() throws Exception {
        Result r = runUntilExit(configFile("no-samples-read.properties", "no-samples-read", TRAINER_PASSWORD, null),
                "bps-no-samples-read");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("not authorized"), r.err());
        assertTrue(r.err().contains("READ on topic 'samples'"), r.err());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: no READ on samples -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    /** (c) No ACL at all on {@code metrics}: the topic cannot even be seen, so the topic check itself is refused. */
    @Test
    void noAclAtAllOnMetricsFailsFastNamingTheTopic() throws Exception {
        Result r = runUntilExit(configFile("no-metrics-at-all.properties", "no-metrics-at-all", TRAINER_PASSWORD, null),
                "bps-no-metrics-at-all");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("not authorized"), r.err());
        assertTrue(r.err().contains("'metrics'"), r.err());
        assertTrue(r.err().contains("TopicAuthorizationException"), r.err());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: no ACL on metrics -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    /** (c) No READ on the consumer group: Kafka Streams cannot join it, and says so while starting. */
    @Test
    void aMissingGroupAclFailsFastNamingTheGroup() throws Exception {
        Result r = runUntilExit(configFile("no-group.properties", "no-group", TRAINER_PASSWORD, null), "bps-no-group");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: not authorized: user 'no-group' was refused"), r.err());
        assertTrue(r.err().contains("bps-no-group"), "names the group: " + r.err());
        assertFalse(r.out().contains("Trainer running"), r.out());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: no READ on the group -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    /** (c) No WRITE on the transactional ids: exactly-once cannot start its producer, and says so while starting. */
    @Test
    void aMissingTransactionalIdAclFailsFast() throws Exception {
        Result r = runUntilExit(configFile("no-txn.properties", "no-txn", TRAINER_PASSWORD, null), "bps-no-txn");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: not authorized: user 'no-txn' was refused: Transactional Id authorization failed"), r.err());
        assertFalse(r.out().contains("Trainer running"), r.out());
        assertNoStackTrace(r);
        System.out.printf("SecuredClusterIT: no WRITE on transactional ids -> exit %d after %d ms: %s", r.exit(), r.millis(), r.err());
    }

    // ---------------------------------------------------------------- ACLs

    /**
     * What an exactly-once trainer with application id {@code app} needs, and nothing more: the list
     * of docs/security.md. READ and WRITE imply DESCRIBE; it is granted explicitly all the same.
     */
    static List<AclBinding> trainerAcls(String user, String app, TopicNames topics) {
        List<AclBinding> acls = new ArrayList<>();
        for (String input : List.of(topics.samples(), topics.models(), topics.predictRequests())) {
            acls.add(allow(ResourceType.TOPIC, input, PatternType.LITERAL, user, AclOperation.READ));
            acls.add(allow(ResourceType.TOPIC, input, PatternType.LITERAL, user, AclOperation.DESCRIBE));
        }
        for (String output : List.of(topics.weights(), topics.metrics(), topics.deadLetters(), topics.progress(), topics.predictions(),
                topics.drift())) {
            acls.add(allow(ResourceType.TOPIC, output, PatternType.LITERAL, user, AclOperation.WRITE));
            acls.add(allow(ResourceType.TOPIC, output, PatternType.LITERAL, user, AclOperation.DESCRIBE));
        }
        // internal topics: <app>-model-store-changelog (created by Kafka Streams)
        acls.add(allow(ResourceType.TOPIC, app, PatternType.PREFIXED, user, AclOperation.ALL));
        acls.add(allow(ResourceType.GROUP, app, PatternType.PREFIXED, user, AclOperation.READ));
        // exactly-once v2: transactional ids <app>-<process id>-<thread>
        acls.add(allow(ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED, user, AclOperation.WRITE));
        acls.add(allow(ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED, user, AclOperation.DESCRIBE));
        return acls;
    }

    private static List<AclBinding> without(List<AclBinding> acls, String topic, AclOperation op) {
        return without(acls, ResourceType.TOPIC, topic, op);
    }

    private static List<AclBinding> without(List<AclBinding> acls, ResourceType type, String name, AclOperation op) {
        List<AclBinding> kept = new ArrayList<>(acls);
        assertTrue(kept.removeIf(b -> b.pattern().resourceType() == type && b.pattern().name().equals(name)
                && b.entry().operation() == op), "no " + op + " on " + type + " " + name + " to remove");
        return kept;
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, String user, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    // ---------------------------------------------------------------- helpers

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The properties file a user would pass to {@code --config}, written by hand (no escaping). */
    private static Path configFile(String name, String user, String password, TopicNames topics) throws IOException {
        StringBuilder sb = new StringBuilder()
                .append("security.protocol=SASL_PLAINTEXT\n")
                .append("sasl.mechanism=").append(MECHANISM).append('\n')
                .append("sasl.jaas.config=").append(scramJaas(user, password)).append('\n')
                .append("state.dir=").append(dir.resolve("state-" + name)).append('\n');
        if (topics != null) {
            sb.append("bps.topic.samples=").append(topics.samples()).append('\n')
                    .append("bps.topic.models=").append(topics.models()).append('\n')
                    .append("bps.topic.weights=").append(topics.weights()).append('\n')
                    .append("bps.topic.metrics=").append(topics.metrics()).append('\n')
                    .append("bps.topic.dead-letters=").append(topics.deadLetters()).append('\n')
                    .append("bps.topic.training-progress=").append(topics.progress()).append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, sb.toString());
        return file;
    }

    private static Path withApplicationId(Path config, String app) throws IOException {
        Files.writeString(config, "application.id=" + app + "\n", java.nio.file.StandardOpenOption.APPEND);
        return config;
    }

    private static boolean canLogIn(String user) {
        Properties p = kafka.clientProperties();
        p.put("sasl.jaas.config", scramJaas(user, TRAINER_PASSWORD));
        p.put("default.api.timeout.ms", "5000");
        p.put("request.timeout.ms", "5000");
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static KafkaProducer<String, byte[]> adminProducer() {
        return new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer());
    }

    /** Waits for {@link #SAMPLES} lecture metrics on {@code topics.metrics()}, read as admin, and returns their losses in step order. */
    private static List<Double> lectureLosses(TopicNames topics) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records = RobustSupport.await(SAMPLES + " metrics on " + topics.metrics(), WAIT,
                () -> RobustSupport.readAll(kafka.clientProperties(), topics.metrics(), WAIT), l -> l.size() >= SAMPLES);
        List<Double> losses = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
            assertEquals(Lecture.MODEL_ID, m.getModelId());
            assertEquals(losses.size() + 1, m.getStep());
            losses.add(m.getLoss());
        }
        return losses;
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** The value of the first Prometheus sample named {@code name} whose labels contain {@code label}, or null. */
    private static Double metric(String body, String name, String label) {
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return null;
    }

    private record Result(int exit, String out, String err, long millis) {
    }

    private static Result runUntilExit(Path config, String app) throws Exception {
        return runUntilExit(withApplicationId(config, app));
    }

    /** {@code run --config FILE --timeout 15}; it must end by itself, within {@link #FAIL_FAST_SECONDS}. */
    private static Result runUntilExit(Path config) throws Exception {
        long t0 = System.nanoTime();
        BackgroundRun run = new BackgroundRun(config, "--timeout", "15");
        Integer exit = null;
        try {
            exit = run.exit.get(FAIL_FAST_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            run.command.requestStop();
            fail("run did not fail within " + FAIL_FAST_SECONDS + " s:\n" + run.out() + run.err());
        }
        return new Result(exit, run.out(), run.err(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static void assertNoStackTrace(Result r) {
        assertFalse(r.err().contains("\tat "), "one line, no stack trace:\n" + r.err());
    }

    /** {@code run} on a thread, through the same command line as {@code main}, output captured. */
    private static final class BackgroundRun {
        final RunCommand command;
        final Future<Integer> exit;
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();

        BackgroundRun(Path config, String... extra) {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            command = cl.getSubcommands().get("run").getCommand();
            List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--config", config.toString(), "--http-port", "0", "--partitions", "2"));
            args.addAll(List.of(extra));
            exit = RUNS.submit(() -> cl.execute(args.toArray(String[]::new)));
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        void awaitRunning() throws Exception {
            RobustSupport.await("run to say 'Trainer running'", WAIT, () -> {
                if (exit.isDone()) {
                    fail("run exited with " + exit.get() + " before it was running:\n" + out() + err());
                }
                return out();
            }, o -> o.contains("Trainer running"));
        }

        int httpPort() {
            Matcher m = Pattern.compile("HTTP on port (\\d+)").matcher(out());
            assertTrue(m.find(), out());
            return Integer.parseInt(m.group(1));
        }

        int stop() throws Exception {
            command.requestStop();
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
