package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.cli.Main;
import io.backpropstreams.cli.RunCommand;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command-line scenarios against a real Kafka cluster. Subclasses say where the cluster is:
 * {@link CommandLineIT} starts an embedded broker, {@link ContainerCommandLineIT} a Testcontainers
 * {@code apache/kafka} container; the scenarios are the same code.
 *
 * <p>Every test gets its own {@code application.id}, {@code state.dir} and topic names (through a
 * {@code --config} properties file with {@code bps.topic.*}), so tests share a cluster without
 * seeing each other's records. Waits poll a condition until a deadline; nothing sleeps and hopes.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class CommandLineScenarios {

    /** How long any one condition may take to become true. */
    static final Duration WAIT = Duration.ofSeconds(60);

    /** A 3-5-2 network, tanh then sigmoid, trained biases, Xavier from a seed. */
    static final String SPEC_JSON =
            "{\"layers\":[3,5,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.3,\"trainBiases\":true,\"seed\":11}";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the cluster under test is. */
    protected abstract String bootstrapServers();

    @TempDir
    Path tmp;

    /** This test's application id, state dir, topic names and the config file that holds them. */
    Env env;

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<BackgroundRun> runs = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void createEnv(TestInfo info) throws IOException {
        String name = info.getTestMethod().map(m -> m.getName()).orElse("test").replaceAll("[^A-Za-z0-9]", "");
        env = new Env(tmp, "it" + SEQUENCE.incrementAndGet() + "-" + name, bootstrapServers());
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (BackgroundRun run : runs) {
            if (!run.exit.isDone()) {
                run.command.requestStop();
                try {
                    run.exit.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    run.exit.cancel(true);
                }
            }
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------
    // Scenarios
    // ------------------------------------------------------------------------------------------

    /**
     * The core scenario: {@code run} through the CLI, {@code model create} through the CLI, JSON
     * samples from a plain producer. Every metric arrives once, in order, with the loss of the
     * in-process core, and the published weights are the core's bit for bit.
     */
    @Test
    void runTrainsAModelFromJsonSamplesBitForBitLikeTheCore() throws Exception {
        BackgroundRun run = startRun();
        Path spec = writeFile("spec.json", SPEC_JSON);
        Result created = cli("model", "create", "m1", "--spec", spec.toString());
        assertEquals(0, created.exit, created.err);
        assertTrue(created.out.contains("Model 'm1' created"), created.out);

        Outputs outputs = outputs();
        outputs.await("the create event of m1", () -> outputs.weights("m1").size() == 1);
        WeightsUpdate create = outputs.weights("m1").get(0);
        Network core = core(SPEC_JSON);
        assertEquals("create", create.getEvent());
        assertEquals(0L, create.getStep());
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(create), "initial parameters");

        int n = 200;
        List<Vec> samples = samples(1, n, 3, 2);
        sendJson("m1", samples);
        outputs.await("metric and weights step " + n + " of m1", () -> outputs.lastMetricStep("m1") == n && outputs.lastWeights("m1").getStep() == n);

        List<TrainingMetric> metrics = outputs.metrics("m1");
        assertEquals(steps(1, n), metrics.stream().map(TrainingMetric::getStep).toList(), "steps 1.." + n + " once each, in order");
        double[] output = new double[2];
        for (int i = 0; i < n; i++) {
            double loss = core.step(samples.get(i).input, samples.get(i).target);
            core.copyOutput(output);
            TrainingMetric m = metrics.get(i);
            assertEquals(loss, m.getLoss(), 0.0, "prequential loss of step " + (i + 1));
            assertArrayEquals(output, unbox(m.getOutput()), 0.0, "output of step " + (i + 1));
            assertArrayEquals(samples.get(i).target, unbox(m.getTarget()), 0.0);
        }
        List<WeightsUpdate> weights = outputs.weights("m1");
        assertEquals(n + 1, weights.size(), "one create event and one update per step (publishEvery 1)");
        WeightsUpdate last = weights.get(n);
        assertEquals(n, last.getStep());
        assertEquals("step", last.getEvent());
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(last), 0.0, "parameters after " + n + " steps");
        assertTrue(outputs.deadLetters().isEmpty(), "no dead letters");

        assertEquals(0, run.stop(), run.err());
        assertTrue(run.out().contains("Trainer stopped cleanly"), run.out());
    }

    /** Stopping {@code run} and starting it again on the same state continues the step count. */
    @Test
    void restartedRunContinuesTheStepCountFromTheStore() throws Exception {
        BackgroundRun first = startRun();
        Path spec = writeFile("spec.json", SPEC_JSON);
        assertEquals(0, cli("model", "create", "r", "--spec", spec.toString()).exit);
        Outputs outputs = outputs();
        outputs.await("the create event of r", () -> outputs.weights("r").size() == 1);

        List<Vec> samples = samples(2, 150, 3, 2);
        sendJson("r", samples.subList(0, 100));
        outputs.await("metric step 100 of r", () -> outputs.lastMetricStep("r") == 100);
        assertEquals(0, first.stop(), first.err());

        long t0 = System.nanoTime();
        BackgroundRun second = startRun();
        long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // the stopped run left the group, so the new one need not wait out session.timeout.ms (45 s)
        assertTrue(restartMillis < 30_000, "restarted run took " + restartMillis + " ms to get its partitions");
        sendJson("r", samples.subList(100, 150));
        outputs.await("metric and weights step 150 of r", () -> outputs.lastMetricStep("r") == 150 && outputs.lastWeights("r").getStep() == 150);

        assertEquals(steps(1, 150), outputs.metrics("r").stream().map(TrainingMetric::getStep).toList(),
                "the second run continues at 101: no step restarts at 1, none repeats");
        Network core = core(SPEC_JSON);
        double[] losses = new double[150];
        for (int i = 0; i < 150; i++) {
            losses[i] = core.step(samples.get(i).input, samples.get(i).target);
        }
        assertArrayEquals(losses, outputs.metrics("r").stream().mapToDouble(TrainingMetric::getLoss).toArray(), 0.0);
        List<WeightsUpdate> weights = outputs.weights("r");
        assertEquals(150, weights.get(weights.size() - 1).getStep());
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(weights.get(weights.size() - 1)), 0.0,
                "the model restored from the store trains on exactly as if the trainer had never stopped");
        assertEquals(0, second.stop(), second.err());
    }

    /** {@code watch … --json} prints what the trainer produced, on all three output topics. */
    @Test
    void watchPrintsMetricsWeightsAndDeadLettersAsJson() throws Exception {
        startRun();
        Path spec = writeFile("spec.json", SPEC_JSON);
        assertEquals(0, cli("model", "create", "w", "--spec", spec.toString()).exit);
        Outputs outputs = outputs();
        outputs.await("the create event of w", () -> outputs.weights("w").size() == 1);

        List<Vec> samples = samples(3, 3, 3, 2);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(env.samples, "w", samples.get(0).json()));
            producer.send(new ProducerRecord<>(env.samples, "w", "{not json"));
            producer.send(new ProducerRecord<>(env.samples, "w", samples.get(1).json()));
            producer.send(new ProducerRecord<>(env.samples, "w", "{\"input\":[1,2],\"target\":[0,1]}"));
            producer.send(new ProducerRecord<>(env.samples, "nobody", samples.get(0).json()));
            producer.send(new ProducerRecord<>(env.samples, "w", samples.get(2).json()));
            producer.flush();
        }
        outputs.await("3 metrics, 3 weights updates and 3 dead letters", () -> outputs.lastMetricStep("w") == 3
                && outputs.lastWeights("w").getStep() == 3 && outputs.deadLetters().size() == 3);

        Network core = core(SPEC_JSON);
        double[] losses = new double[3];
        double[][] params = new double[4][];
        params[0] = core.parameters();
        for (int i = 0; i < 3; i++) {
            losses[i] = core.step(samples.get(i).input, samples.get(i).target);
            params[i + 1] = core.parameters();
        }

        List<JsonNode> metrics = jsonLines(cli("watch", "metrics", "--from-beginning", "--max", "3", "--json", "--idle-timeout", "30"));
        assertEquals(3, metrics.size());
        for (int i = 0; i < 3; i++) {
            JsonNode m = metrics.get(i);
            assertEquals("w", m.get("modelId").asText());
            assertEquals(i + 1, m.get("step").asLong(), "bad samples do not count as steps");
            assertEquals(losses[i], m.get("loss").asDouble(), 0.0, "loss of step " + (i + 1));
            assertEquals(2, m.get("output").size());
            assertTrue(m.get("lossEma").isNumber());
        }

        List<JsonNode> weights = jsonLines(cli("watch", "weights", "--from-beginning", "--max", "4", "--json", "--idle-timeout", "30"));
        assertEquals(4, weights.size());
        for (int i = 0; i < 4; i++) {
            JsonNode u = weights.get(i);
            assertEquals("w", u.get("modelId").asText());
            assertEquals(i, u.get("step").asLong());
            assertEquals(i == 0 ? "create" : "step", u.get("event").asText());
            assertArrayEquals(params[i], flatParameters(u), 0.0, "weights at step " + i);
        }
        JsonNode hidden = weights.get(0).get("layers").get(0);
        assertEquals(3, hidden.get("inputs").asInt());
        assertEquals(5, hidden.get("outputs").asInt());
        assertEquals("tanh", hidden.get("activation").asText());

        List<JsonNode> dead = jsonLines(cli("watch", "dead-letters", "--from-beginning", "--max", "3", "--json", "--idle-timeout", "30"));
        assertEquals(3, dead.size());
        Map<String, JsonNode> byReason = dead.stream().collect(Collectors.toMap(d -> d.get("reason").asText(), d -> d));
        assertEquals(java.util.Set.of("malformed-json", "wrong-input-length", "unknown-model"), byReason.keySet());
        JsonNode malformed = byReason.get("malformed-json");
        assertEquals("w", malformed.get("key").asText());
        assertEquals(env.samples, malformed.get("topic").asText());
        assertEquals("{not json".length(), malformed.get("bytes").asInt(), "the original bytes are kept");
        assertTrue(byReason.get("wrong-input-length").get("message").asText().contains("expects 3"),
                byReason.get("wrong-input-length").toString());
        assertEquals("nobody", byReason.get("unknown-model").get("key").asText());
        // origin headers: the w records went to one partition in send order, so offsets 1 and 3
        assertEquals("1", malformed.get("offset").asText());
        assertEquals("3", byReason.get("wrong-input-length").get("offset").asText());
        assertEquals(Integer.toString(outputs.lastWeights("w").getSourcePartition()), malformed.get("partition").asText());

        // the human-readable form names the reason too
        Result text = cli("watch", "dead-letters", "--from-beginning", "--max", "3", "--idle-timeout", "30");
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.contains("reason=malformed-json"), text.out);
    }

    /** {@code produce} with one malformed CSV line: exit 1, the line is named, the good lines train. */
    @Test
    void produceSkipsAMalformedCsvLineAndTrainsTheRest() throws Exception {
        startRun();
        String specJson = "{\"layers\":[2,3,1],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":5}";
        Path spec = writeFile("csv-spec.json", specJson);
        assertEquals(0, cli("model", "create", "c", "--spec", spec.toString()).exit);
        Outputs outputs = outputs();
        outputs.await("the create event of c", () -> outputs.weights("c").size() == 1);

        Path csv = writeFile("samples.csv", String.join("\n",
                "# x1,x2,target",
                "0.1,0.9,1",
                "0.8,oops,0",
                "0.5,0.25,0.5",
                "0.9,0.1,1",
                ""));
        Result r = cli("produce", "--model", "c", "--file", csv.toString(), "--format", "csv", "--inputs", "2");
        assertEquals(1, r.exit, "a skipped line makes the exit code 1\n" + r.out + r.err);
        assertTrue(r.err.contains("line 3"), r.err);
        assertTrue(r.err.contains("oops"), r.err);
        assertFalse(r.err.contains("line 2") || r.err.contains("line 4") || r.err.contains("line 5"), r.err);
        assertTrue(r.out.contains("Produced 3 samples"), r.out);
        assertTrue(r.out.contains("1 malformed line"), r.out);

        outputs.await("metric and weights step 3 of c", () -> outputs.lastMetricStep("c") == 3 && outputs.lastWeights("c").getStep() == 3);
        Network core = core(specJson);
        double[][][] good = {{{0.1, 0.9}, {1}}, {{0.5, 0.25}, {0.5}}, {{0.9, 0.1}, {1}}};
        double[] losses = new double[3];
        for (int i = 0; i < 3; i++) {
            losses[i] = core.step(good[i][0], good[i][1]);
        }
        assertEquals(steps(1, 3), outputs.metrics("c").stream().map(TrainingMetric::getStep).toList());
        assertArrayEquals(losses, outputs.metrics("c").stream().mapToDouble(TrainingMetric::getLoss).toArray(), 0.0);
        List<WeightsUpdate> weights = outputs.weights("c");
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(weights.get(weights.size() - 1)), 0.0);
        assertTrue(outputs.deadLetters().isEmpty(), "the malformed line never reached Kafka");
    }

    /** {@code replay --times 200} trains the built-in lecture model 200 steps. */
    @Test
    void replayTrainsTheBuiltInLectureModel() throws Exception {
        startRun();
        Result r = cli("replay", "--model", "lecture", "--times", "200", "--quiet");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("Replayed 200 samples for model 'lecture'"), r.out);
        assertFalse(r.err.contains("replaying"), "--quiet draws no progress bar: " + r.err);

        Outputs outputs = outputs();
        outputs.await("metric and weights step 200 of lecture", () -> outputs.lastMetricStep(Lecture.MODEL_ID) == 200
                && outputs.lastWeights(Lecture.MODEL_ID).getStep() == 200);
        assertEquals(steps(1, 200), outputs.metrics(Lecture.MODEL_ID).stream().map(TrainingMetric::getStep).toList());
        Network core = Lecture.network();
        double[] losses = new double[200];
        for (int i = 0; i < 200; i++) {
            losses[i] = core.step(Lecture.INPUT, Lecture.TARGET);
        }
        assertEquals(0.2983711087600027, losses[0], 0.0, "the lecture's error before training");
        assertArrayEquals(losses, outputs.metrics(Lecture.MODEL_ID).stream().mapToDouble(TrainingMetric::getLoss).toArray(), 0.0);
        List<WeightsUpdate> weights = outputs.weights(Lecture.MODEL_ID);
        assertEquals("create", weights.get(0).getEvent(), "the built-in model announces itself at its first sample");
        assertArrayEquals(Lecture.initialParameters(), WeightsUpdates.parameters(weights.get(0)), 0.0);
        assertEquals(201, weights.size());
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(weights.get(200)), 0.0);
    }

    /** {@code model list}, {@code model reset} and {@code model delete} against a running trainer. */
    @Test
    void modelListResetAndDelete() throws Exception {
        startRun();
        Path spec = writeFile("spec.json", SPEC_JSON);
        assertEquals(0, cli("model", "create", "m1", "--spec", spec.toString()).exit);
        Outputs outputs = outputs();
        outputs.await("the create event of m1", () -> outputs.weights("m1").size() == 1);
        List<Vec> samples = samples(4, 5, 3, 2);
        sendJson("m1", samples);
        outputs.await("metric step 5 of m1", () -> outputs.lastMetricStep("m1") == 5);

        // the table: MODEL SHAPE STEP LOSS EMA UPDATED, the step as committed (training-progress trails by <= 200 ms)
        Result[] listed = new Result[1];
        outputs.await("model list showing m1 at step 5", () -> {
            listed[0] = cli("model", "list");
            return listed[0].exit == 0 && listed[0].out.lines().anyMatch(l -> l.matches("m1 +\\[3,5,2\\] +5 +[0-9.e+-]+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        });
        Result list = listed[0];
        assertTrue(list.out.lines().findFirst().orElse("").matches("MODEL +SHAPE +STEP +LOSS EMA +UPDATED"), list.out);
        assertTrue(list.out.lines().anyMatch(l -> l.startsWith("lecture ") && l.contains("[2,2,2]")), list.out);
        Result json = cli("model", "list", "--json");
        String m1Json = json.out.lines().filter(l -> l.contains("\"modelId\":\"m1\"")).findFirst()
                .orElseThrow(() -> new AssertionError("m1 not listed:\n" + json.out));
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode m1Node = mapper.readTree(m1Json);
        assertEquals(mapper.readTree(ModelSpecs.toJson(ModelSpecs.fromJson(SPEC_JSON))), m1Node.get("spec"), m1Json);
        assertEquals(5, m1Node.get("step").asLong(), m1Json);

        Result deleteMissing = cli("model", "delete", "no-such-model");
        assertEquals(1, deleteMissing.exit, deleteMissing.out);
        assertTrue(deleteMissing.err.contains("no model 'no-such-model'"), deleteMissing.err);

        Result reset = cli("model", "reset", "m1");
        assertEquals(0, reset.exit, reset.err);
        outputs.await("the reset event of m1", () -> "reset".equals(outputs.lastWeights("m1").getEvent()));
        WeightsUpdate resetEvent = outputs.lastWeights("m1");
        assertEquals(0L, resetEvent.getStep());
        Network fresh = core(SPEC_JSON);
        assertArrayEquals(fresh.parameters(), WeightsUpdates.parameters(resetEvent), 0.0, "reset restores the initial weights");

        sendJson("m1", samples.subList(0, 2));
        outputs.await("7 metrics of m1", () -> outputs.metrics("m1").size() == 7);
        List<Long> steps = outputs.metrics("m1").stream().map(TrainingMetric::getStep).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 1L, 2L), steps, "after a reset the step count starts again at 1");
        double firstLossAfterReset = fresh.step(samples.get(0).input, samples.get(0).target);
        assertEquals(firstLossAfterReset, outputs.metrics("m1").get(5).getLoss(), 0.0);

        Result missing = cli("model", "reset", "no-such-model");
        assertEquals(1, missing.exit);
        assertTrue(missing.err.contains("no model 'no-such-model'"), missing.err);

        Result delete = cli("model", "delete", "m1");
        assertEquals(0, delete.exit, delete.err);
        outputs.await("the tombstone of m1 on the weights topic", () -> outputs.weightsTombstones("m1") == 1);
        Result after = cli("model", "list");
        assertFalse(after.out.lines().anyMatch(l -> l.startsWith("m1 ")), after.out);

        sendJson("m1", samples.subList(0, 1));
        outputs.await("a dead letter for the deleted model", () -> !outputs.deadLetters().isEmpty());
        assertEquals("unknown-model", DeadLetters.header(outputs.deadLetters().get(0).headers(), DeadLetters.REASON));
        assertEquals(7, outputs.metrics("m1").size(), "a deleted model trains no more");
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** What one command printed. */
    record Result(int exit, String out, String err) {
    }

    /** One test's isolation: application id, state dir and topic names, written to a --config file. */
    static final class Env {
        final String applicationId;
        final String samples;
        final String models;
        final String weights;
        final String metrics;
        final String deadLetters;
        final Path config;
        final String bootstrapServers;

        Env(Path dir, String prefix, String bootstrapServers) throws IOException {
            this.bootstrapServers = bootstrapServers;
            this.applicationId = prefix + "-app";
            this.samples = prefix + ".samples";
            this.models = prefix + ".models";
            this.weights = prefix + ".weights";
            this.metrics = prefix + ".metrics";
            this.deadLetters = prefix + ".dead-letters";
            Properties p = new Properties();
            p.setProperty("application.id", applicationId);
            p.setProperty("state.dir", dir.resolve("state").toString());
            p.setProperty("bps.topic.samples", samples);
            p.setProperty("bps.topic.models", models);
            p.setProperty("bps.topic.weights", weights);
            p.setProperty("bps.topic.metrics", metrics);
            p.setProperty("bps.topic.dead-letters", deadLetters);
            this.config = dir.resolve("kafka.properties");
            try (var w = Files.newBufferedWriter(config)) {
                p.store(w, "integration test " + prefix);
            }
        }
    }

    /** Runs a command against this test's cluster and topics ({@code -b} and {@code --config} appended). */
    Result cli(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--bootstrap-servers";
        all[args.length + 1] = env.bootstrapServers;
        all[args.length + 2] = "--config";
        all[args.length + 3] = env.config.toString();
        return execute(all);
    }

    /** Runs a command line exactly as given, the way {@code main} does, capturing its output. */
    static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** {@code run} on a background thread, through the same command line as {@code main}. */
    final class BackgroundRun {
        final RunCommand command;
        final Future<Integer> exit;
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();

        BackgroundRun() {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            command = cl.getSubcommands().get("run").getCommand();
            String[] args = {"run", "--bootstrap-servers", env.bootstrapServers, "--config", env.config.toString(),
                "--http-port", "0", "--partitions", "2", "--timeout", "60"};
            exit = executor.submit(() -> cl.execute(args));
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        void awaitRunning() {
            Waits.until("run to report 'Trainer running'", WAIT, () -> {
                if (exit.isDone()) {
                    fail("run exited with " + exit.get() + " before it was running:\n" + out() + err());
                }
                return out();
            }, out -> out.contains("Trainer running"));
        }

        /** Asks run to stop, as SIGTERM does, and returns its exit code. */
        int stop() throws Exception {
            command.requestStop();
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Starts {@code run} and waits until it says it is running (topics exist from then on). */
    BackgroundRun startRun() throws Exception {
        BackgroundRun run = new BackgroundRun();
        runs.add(run);
        run.awaitRunning();
        assertFalse(run.exit.isDone(), "run keeps running:\n" + run.out() + run.err());
        return run;
    }

    /** A read_committed reader of this test's three output topics, from their beginning. */
    Outputs outputs() {
        Outputs o = new Outputs();
        closeables.add(o);
        return o;
    }

    /** Accumulates everything on the weights, metrics and dead-letters topics, per model. */
    final class Outputs implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, List<TrainingMetric>> metrics = new HashMap<>();
        private final Map<String, List<WeightsUpdate>> weights = new HashMap<>();
        private final Map<String, Integer> tombstones = new HashMap<>();
        private final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();

        Outputs() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = new ArrayList<>();
            for (String topic : List.of(env.weights, env.metrics, env.deadLetters)) {
                List<PartitionInfo> parts = consumer.partitionsFor(topic, WAIT);
                assertFalse(parts == null || parts.isEmpty(), "topic " + topic + " exists");
                parts.forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        /** Polls until {@code condition} holds; fails naming {@code what} at the deadline. */
        void await(String what, BooleanSupplier condition) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; metrics steps so far "
                            + lastSteps() + ", weights " + weights.keySet() + ", dead letters " + deadLetters.size()
                            + runLogs());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (r.topic().equals(env.metrics)) {
                        TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                        assertEquals(key, m.getModelId(), "metric key is the model id");
                        metrics.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
                    } else if (r.topic().equals(env.weights)) {
                        if (r.value() == null) {
                            tombstones.merge(key, 1, Integer::sum);
                        } else {
                            WeightsUpdate u = Serdes.WEIGHTS_UPDATE.decode(r.value());
                            assertEquals(key, u.getModelId(), "weights key is the model id");
                            weights.computeIfAbsent(key, k -> new ArrayList<>()).add(u);
                        }
                    } else {
                        deadLetters.add(r);
                    }
                }
            }
        }

        List<TrainingMetric> metrics(String model) {
            return metrics.getOrDefault(model, List.of());
        }

        long lastMetricStep(String model) {
            List<TrainingMetric> m = metrics(model);
            return m.isEmpty() ? -1 : m.get(m.size() - 1).getStep();
        }

        List<WeightsUpdate> weights(String model) {
            return weights.getOrDefault(model, List.of());
        }

        WeightsUpdate lastWeights(String model) {
            List<WeightsUpdate> w = weights(model);
            return w.isEmpty() ? WeightsUpdate.newBuilder().setModelId(model).setStep(-1).setEvent("none")
                    .setLayers(List.of()).setSourcePartition(-1).setSourceOffset(-1).setTimestamp(java.time.Instant.EPOCH).build()
                    : w.get(w.size() - 1);
        }

        int weightsTombstones(String model) {
            return tombstones.getOrDefault(model, 0);
        }

        List<ConsumerRecord<byte[], byte[]>> deadLetters() {
            return deadLetters;
        }

        private Map<String, Long> lastSteps() {
            Map<String, Long> m = new HashMap<>();
            metrics.keySet().forEach(k -> m.put(k, lastMetricStep(k)));
            return m;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private String runLogs() {
        StringBuilder sb = new StringBuilder();
        for (BackgroundRun r : runs) {
            sb.append("\n--- run ").append(r.exit.isDone() ? "(exited)" : "(running)").append(":\n").append(r.out()).append(r.err());
        }
        return sb.toString();
    }

    /** One sample's vectors and its JSON form. */
    record Vec(double[] input, double[] target) {
        String json() {
            return "{\"input\":" + Arrays.toString(input) + ",\"target\":" + Arrays.toString(target) + "}";
        }
    }

    /** Deterministic samples: inputs in [-1, 1), targets in [0, 1). */
    static List<Vec> samples(long seed, int n, int inputs, int outputs) {
        Random random = new Random(seed);
        List<Vec> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] in = new double[inputs];
            double[] t = new double[outputs];
            for (int k = 0; k < inputs; k++) {
                in[k] = 2 * random.nextDouble() - 1;
            }
            for (int k = 0; k < outputs; k++) {
                t[k] = random.nextDouble();
            }
            list.add(new Vec(in, t));
        }
        return list;
    }

    KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Sends the samples as JSON strings, keyed by {@code model}, and waits for the acks. */
    void sendJson(String model, List<Vec> samples) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<?>> acks = new ArrayList<>();
            for (Vec v : samples) {
                acks.add(producer.send(new ProducerRecord<>(env.samples, model, v.json())));
            }
            producer.flush();
            for (Future<?> f : acks) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** The in-process core for a JSON spec, as the trainer builds it. */
    static Network core(String specJson) {
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(specJson));
        return new Network(d.spec(), d.parameters());
    }

    Path writeFile(String name, String content) {
        try {
            return Files.writeString(tmp.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Long> steps(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The flat parameter vector of a {@code watch weights --json} line (weights then biases, per layer). */
    static double[] flatParameters(JsonNode update) {
        List<Double> p = new ArrayList<>();
        for (JsonNode layer : update.get("layers")) {
            layer.get("weights").forEach(w -> p.add(w.asDouble()));
            layer.get("biases").forEach(b -> p.add(b.asDouble()));
        }
        return unbox(p);
    }

    /** The JSON lines a successful command printed. */
    static List<JsonNode> jsonLines(Result r) throws IOException {
        assertEquals(0, r.exit, r.err);
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : r.out.split("\\R")) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                assertNotNull(node);
                assertTrue(node.isObject(), line);
                nodes.add(node);
            }
        }
        return nodes;
    }

    static void assertNoStackTrace(Result r) {
        assertFalse(r.err.contains("\tat "), "a user error prints one line, not a stack trace:\n" + r.err);
        assertTrue(r.err.startsWith("error: "), r.err);
    }
}
