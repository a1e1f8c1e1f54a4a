package io.backpropstreams.it;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.PredictRequestCodec;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.cli.Main;
import io.backpropstreams.client.Clients;
import io.backpropstreams.it.clients.ExternalClients;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.Prediction;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.ModelPartitioner;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Predict requests through {@code run}'s service on an embedded broker with 4 partitions: every
 * request, from any partition, gets exactly one prediction, computed on the committed model (bit
 * for bit the in-process core after the same samples, at the step the prediction names), the
 * models train on as if no request had come, and bad requests are in {@code dead-letters} with
 * their reasons; {@code predict} prints the answer or the refusal.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PredictRequestsIT {

    static final int PARTITIONS = Trainer.DEFAULT_PARTITIONS;
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String SPEC = "{\"layers\":[3,5,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.3,\"trainBiases\":true,\"seed\":11}";
    static final TopicNames TOPICS = TopicNames.DEFAULTS;

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @TempDir
    static Path dir;

    private static TrainerService service;

    @BeforeAll
    static void startTheService() {
        Properties config = client();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "predict-requests-it");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        service = TrainerService.start(config, 0, null, PARTITIONS, WAIT);
    }

    @AfterAll
    static void stopTheService() {
        if (service != null) {
            service.close();
        }
    }

    static Properties client() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        return p;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    record Cli(int exit, String out, String err) {
    }

    static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }

    static Network core(String spec) {
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec));
        return new Network(d.spec(), d.parameters());
    }

    static double[] predict(Network n, double[] input) {
        double[] out = new double[n.spec().outputSize()];
        n.predict(input, out);
        return out;
    }

    static double[] outputs(Prediction p) {
        return p.getOutputs().stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return v;
    }

    /** The largest committed step of {@code model} on {@code metrics}, waiting until it reaches {@code steps}. */
    static void awaitSteps(String model, long steps) {
        long[] last = {0};
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.assignAll(c, TOPICS.metrics(), true);
            Waits.until("model '" + model + "' at step " + steps, WAIT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                    if (m.getModelId().equals(model)) {
                        last[0] = Math.max(last[0], m.getStep());
                    }
                }
                return last[0];
            }, s -> s >= steps);
        }
    }

    /** Waits for the model's create event on {@code weights}: samples and requests sent after it find the model. */
    static void awaitCreated(String model) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.assignAll(c, TOPICS.weights(), true);
            boolean[] created = {false};
            Waits.until("model '" + model + "' created", WAIT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && model.equals(new String(r.key(), StandardCharsets.UTF_8))
                            && "create".equals(Serdes.WEIGHTS_UPDATE.decode(r.value()).getEvent())) {
                        created[0] = true;
                    }
                }
                return created[0];
            });
        }
    }

    /** Every committed prediction, by request id, once those of {@code expected} ids have all arrived; then read to the end. */
    static Map<String, List<Prediction>> awaitPredictions(List<String> expected) {
        Map<String, List<Prediction>> byRequest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.assignAll(c, TOPICS.predictions(), true);
            Waits.until(expected.size() + " predictions", WAIT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Prediction p = Serdes.PREDICTION.decode(r.value());
                    assertEquals(p.getModelId(), new String(r.key(), StandardCharsets.UTF_8), "keyed by model id");
                    byRequest.computeIfAbsent(p.getRequestId(), k -> new ArrayList<>()).add(p);
                }
                return expected.stream().filter(byRequest::containsKey).count();
            }, n -> n == expected.size());
        }
        // whatever was committed after: a second answer to any request would be here now
        Map<String, List<Prediction>> all = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.readToEnd(c, TOPICS.predictions(), WAIT, r -> {
                Prediction p = Serdes.PREDICTION.decode(r.value());
                all.computeIfAbsent(p.getRequestId(), k -> new ArrayList<>()).add(p);
            });
        }
        return all;
    }

    @Test
    void everyRequestFromAnyPartitionGetsExactlyOnePredictionOnTheCommittedModel() throws Exception {
        String model = "predicted";
        Cli created = cli("model", "create", model, "--spec", java.nio.file.Files.writeString(dir.resolve("spec.json"), SPEC).toString(),
                "-b", KAFKA.bootstrapServers());
        assertEquals(0, created.exit(), created.out() + created.err());
        awaitCreated(model);

        // train: 400 samples of the model, 300 of the lecture, keyed (each model's samples on its own partition)
        SplittableRandom r = new SplittableRandom(3);
        Network core = core(SPEC);
        Network lecture = Lecture.network();
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            for (int i = 0; i < 400; i++) {
                double[] in = random(r, 3);
                double[] t = {r.nextDouble(), r.nextDouble()};
                core.step(in, t);
                producer.send(new ProducerRecord<>(TOPICS.samples(), model, SampleCodec.toAvro(in, t)));
                if (i < 300) {
                    lecture.step(Lecture.INPUT, Lecture.TARGET);
                    producer.send(new ProducerRecord<>(TOPICS.samples(), Lecture.MODEL_ID, SampleCodec.toJson(Lecture.INPUT, Lecture.TARGET)
                            .getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
        awaitSteps(model, 400);
        awaitSteps(Lecture.MODEL_ID, 300);

        // 60 requests: JSON and Avro, on the model's own partition and on random ones (rerouted)
        Map<String, double[]> inputs = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        int rerouted = 0;
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            for (int i = 0; i < 60; i++) {
                String id = "req-" + i;
                String to = i % 3 == 2 ? Lecture.MODEL_ID : model;
                double[] in = to.equals(model) ? random(r, 3) : new double[] {r.nextDouble(), r.nextDouble()};
                inputs.put(id, in);
                modelOf.put(id, to);
                byte[] value = i % 2 == 0 ? PredictRequestCodec.toAvro(in, id) : utf8(PredictRequestCodec.toJson(in, id));
                int own = ModelPartitioner.partitionOf(utf8(to), PARTITIONS);
                int partition = i % 4 == 0 ? own : r.nextInt(PARTITIONS);
                rerouted += partition != own ? 1 : 0;
                producer.send(new ProducerRecord<>(TOPICS.predictRequests(), partition, to, value));
            }
            producer.flush();
        }
        assertTrue(rerouted > 10, "a good share of requests needs rerouting: " + rerouted);

        // and one through the command line, which prints its answer
        Cli asked = cli("predict", "--model", model, "--input", "0.25,-0.5,0.75", "--request-id", "by-cli", "-b", KAFKA.bootstrapServers(),
                "--json");
        assertEquals(0, asked.exit(), asked.out() + asked.err());
        inputs.put("by-cli", new double[] {0.25, -0.5, 0.75});
        modelOf.put("by-cli", model);
        com.fasterxml.jackson.databind.JsonNode printed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(asked.out());
        assertEquals(400, printed.get("step").asLong(), asked.out());
        assertEquals(predict(core, inputs.get("by-cli"))[1], printed.get("outputs").get(1).asDouble(), 0.0, asked.out());

        Map<String, List<Prediction>> answers = awaitPredictions(new ArrayList<>(inputs.keySet()));
        for (Map.Entry<String, double[]> e : inputs.entrySet()) {
            List<Prediction> ps = answers.get(e.getKey());
            assertEquals(1, ps.size(), "exactly one prediction for " + e.getKey() + ": " + ps);
            Prediction p = ps.get(0);
            boolean isLecture = modelOf.get(e.getKey()).equals(Lecture.MODEL_ID);
            assertEquals(modelOf.get(e.getKey()), p.getModelId());
            assertEquals(isLecture ? 300 : 400, p.getStep(), e.getKey() + ": the committed step");
            assertArrayEquals(predict(isLecture ? lecture : core, e.getValue()), outputs(p), e.getKey() + ": bit for bit the core after the same samples");
            assertNull(p.getPredictedClass(), "sigmoid models have no class");
        }
        assertEquals(60, answers.keySet().stream().filter(id -> id != null && id.startsWith("req-")).count(),
                "no prediction for a request never sent: " + answers.keySet());

        // the requests trained nothing: one more sample is step 401, and the model is still the core's
        double[] in = random(r, 3);
        double[] t = {0.3, 0.6};
        core.step(in, t);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            producer.send(new ProducerRecord<>(TOPICS.samples(), model, SampleCodec.toAvro(in, t))).get();
        }
        awaitSteps(model, 401);
        Cli again = cli("predict", "--model", model, "--input", "0.1,0.2,0.3", "-b", KAFKA.bootstrapServers(), "--json");
        assertEquals(0, again.exit(), again.out() + again.err());
        com.fasterxml.jackson.databind.JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(again.out());
        assertEquals(401, last.get("step").asLong());
        double[] expected = predict(core, new double[] {0.1, 0.2, 0.3});
        assertEquals(expected[0], last.get("outputs").get(0).asDouble(), 0.0);
        assertEquals(expected[1], last.get("outputs").get(1).asDouble(), 0.0);
        System.out.printf("predict-requests: %d requests (%d rerouted, 2 by the CLI), each answered once, bit-identical to the core%n",
                inputs.size() + 1, rerouted);
    }

    @Test
    void predictionsInterleavedWithTrainingNameTheStepTheirOutputsWereComputedAt() throws Exception {
        String model = "moving";
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            producer.send(new ProducerRecord<>(TOPICS.models(), model, utf8(SPEC))).get();
        }
        awaitCreated(model);
        SplittableRandom r = new SplittableRandom(8);
        Network core = core(SPEC);
        List<Network> at = new ArrayList<>(List.of(core.copy()));
        Map<String, double[]> inputs = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            for (int i = 0; i < 300; i++) {
                double[] in = random(r, 3);
                double[] t = {r.nextDouble(), r.nextDouble()};
                core.step(in, t);
                at.add(core.copy());
                producer.send(new ProducerRecord<>(TOPICS.samples(), model, SampleCodec.toAvro(in, t)));
                if (i % 10 == 0) {
                    double[] q = random(r, 3);
                    inputs.put("mid-" + i, q);
                    producer.send(new ProducerRecord<>(TOPICS.predictRequests(), model, PredictRequestCodec.toAvro(q, "mid-" + i)));
                }
            }
            producer.flush();
        }
        Map<String, List<Prediction>> answers = awaitPredictions(new ArrayList<>(inputs.keySet()));
        java.util.SortedSet<Long> steps = new java.util.TreeSet<>();
        for (Map.Entry<String, double[]> e : inputs.entrySet()) {
            List<Prediction> ps = answers.get(e.getKey());
            assertEquals(1, ps.size(), e.getKey());
            steps.add(ps.get(0).getStep());
            Prediction p = ps.get(0);
            assertTrue(p.getStep() >= 0 && p.getStep() <= 300, e.getKey() + " step " + p.getStep());
            assertArrayEquals(predict(at.get((int) p.getStep()), e.getValue()), outputs(p),
                    e.getKey() + ": the outputs of the model at the step it names (" + p.getStep() + ")");
        }
        awaitSteps(model, 300);
        System.out.printf("predict-requests: %d requests interleaved with 300 samples answered at %d distinct steps %s%n",
                inputs.size(), steps.size(), steps);
    }

    @Test
    void badRequestsAreDeadLetteredOnceWithTheirReasonAndPredictSaysWhy() {
        String model = "strict";
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            producer.send(new ProducerRecord<>(TOPICS.models(), model, utf8(SPEC))).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        awaitCreated(model);
        record Bad(String key, byte[] value, String reason) {
        }
        List<Bad> bad = List.of(
                new Bad(model, utf8("{\"input\":[1,2]"), "malformed-json"),
                new Bad(model, utf8("{\"input\":[1,2,3],\"target\":[1,0]}"), "wrong-json-shape"),
                new Bad(model, utf8("{\"input\":[1,2]}"), "wrong-input-length"),
                new Bad(model, utf8("{\"input\":[1,NaN,3]}"), "non-finite-value"),
                new Bad(model, SampleCodec.toAvro(new double[] {1, 2, 3}, new double[] {1, 0}), "unknown-schema"),
                new Bad(model, new byte[0], "empty-value"),
                new Bad("no-such-model", PredictRequestCodec.toAvro(new double[] {1, 2, 3}, "x"), "unknown-model"),
                new Bad("a/b", PredictRequestCodec.toAvro(new double[] {1, 2, 3}, "y"), "invalid-model-id"),
                new Bad(null, PredictRequestCodec.toAvro(new double[] {1, 2, 3}, "z"), "missing-key"));
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            for (Bad b : bad) {
                producer.send(new ProducerRecord<>(TOPICS.predictRequests(), b.key(), b.value()));
            }
            producer.flush();
        }
        Map<String, Integer> reasons = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.assignAll(c, TOPICS.deadLetters(), true);
            Waits.until(bad.size() + " dead letters from predict-requests", WAIT, () -> {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    if (TOPICS.predictRequests().equals(DeadLetters.header(rec.headers(), DeadLetters.TOPIC))) {
                        reasons.merge(DeadLetters.header(rec.headers(), DeadLetters.REASON), 1, Integer::sum);
                    }
                }
                return reasons.values().stream().mapToInt(Integer::intValue).sum();
            }, n -> n >= bad.size());
        }
        Map<String, Integer> expected = new HashMap<>();
        bad.forEach(b -> expected.merge(b.reason(), 1, Integer::sum));
        assertEquals(expected, reasons, "each bad request dead-lettered once with its reason");

        Cli refused = cli("predict", "--model", "no-such-model", "--input", "1,2,3", "-b", KAFKA.bootstrapServers());
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().startsWith("error: model 'no-such-model' refused request '") && refused.err().contains(": unknown-model: no model"),
                refused.err());
        Cli tooShort = cli("predict", "--model", model, "--input", "1,2", "--encoding", "json", "-b", KAFKA.bootstrapServers());
        assertEquals(1, tooShort.exit(), tooShort.err());
        assertTrue(tooShort.err().contains("wrong-input-length: input has 2 values, model 'strict' expects 3"), tooShort.err());
    }

    @Test
    void requestsFromKcatWithItsDefaultPartitionerAreReroutedAndAnsweredOnce() throws Exception {
        ExternalClients.requireKcat();
        // a model whose CRC32 partition (librdkafka's default) is not its murmur2 one: every request is rerouted
        String model = null;
        int crcPartition = -1;
        for (int i = 0; model == null; i++) {
            CRC32 crc = new CRC32();
            crc.update(utf8("by-kcat-" + i));
            crcPartition = (int) (crc.getValue() % PARTITIONS);
            if (crcPartition != ModelPartitioner.partitionOf(utf8("by-kcat-" + i), PARTITIONS)) {
                model = "by-kcat-" + i;
            }
        }
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            producer.send(new ProducerRecord<>(TOPICS.models(), model, utf8(SPEC))).get();
        }
        awaitCreated(model);
        List<ExternalClients.Line> lines = new ArrayList<>();
        Map<String, double[]> inputs = new HashMap<>();
        SplittableRandom r = new SplittableRandom(21);
        for (int i = 0; i < 20; i++) {
            double[] in = random(r, 3);
            inputs.put("kcat-" + i, in);
            lines.add(new ExternalClients.Line(model, PredictRequestCodec.toJson(in, "kcat-" + i)));
        }
        ExternalClients.kcatProduce(KAFKA.bootstrapServers(), TOPICS.predictRequests(), lines);
        Map<String, List<Prediction>> answers = awaitPredictions(new ArrayList<>(inputs.keySet()));
        Network core = core(SPEC);
        for (Map.Entry<String, double[]> e : inputs.entrySet()) {
            assertEquals(1, answers.get(e.getKey()).size(), e.getKey());
            Prediction p = answers.get(e.getKey()).get(0);
            assertEquals(0, p.getStep());
            assertEquals(crcPartition, p.getSourcePartition(), "kcat's CRC32 partition, not the model's");
            assertArrayEquals(predict(core, e.getValue()), outputs(p));
        }
    }
}
