package io.backpropstreams.it.robust;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.TopicSpec;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A corpus of bad records, each kind once, interleaved with good samples of two models, sent with
 * a plain byte producer to a running trainer on a real broker.
 *
 * <p>Each bad record must land in {@code dead-letters} exactly once, with its reason code and with
 * origin headers naming the topic, partition and offset the producer was told; the trainer must
 * stay RUNNING; and the good samples must leave the models bit for bit where an in-process
 * {@link Network} trained on the good samples alone ends up.
 *
 * <p>The 10 MB record: a topic's default limit (about 1 MB) refuses it at produce time, so
 * {@code samples} is created here with {@code max.message.bytes} = 16 MiB. Its dead letter carries
 * the same 10 MB back out, so {@code dead-letters} and the trainer's producer
 * ({@code producer.max.request.size}) must accept it too: without them the trainer's send fails
 * with {@code RecordTooLargeException} and Kafka Streams stops the trainer.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCorpusIT {

    private static final TopicNames TOPICS = TopicNames.DEFAULTS;
    private static final int PARTITIONS = 3;
    private static final int MAX_RECORD_BYTES = 16 << 20;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Header put on every produced record; a dead letter must keep it (the original headers are copied). */
    private static final String KIND = "corpus.kind";

    /** A 2-3-2 tanh/sigmoid model with trained biases. */
    private static final String M = "m";
    private static final String M_SPEC = "{\"layers\":[2,3,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.5,"
            + "\"trainBiases\":true,\"seed\":11}";
    /** A linear model whose learning rate is so large that any real step overflows its weights. */
    private static final String HOT = "hot";
    private static final String HOT_SPEC = "{\"layers\":[2,1],\"activation\":\"linear\",\"learningRate\":1e308,\"seed\":3}";
    private static final int GOOD_M = 150;
    private static final int GOOD_LECTURE = 50;

    @TempDir
    static Path stateDir;

    private static EmbeddedKafkaBroker kafka;
    private static Trainer trainer;
    private static String applicationId;

    /** A record the test sent, where it landed, and the reason it must be rejected with (null if good). */
    private record Sent(String kind, String topic, byte[] key, byte[] value, String reason, RecordMetadata where) {
        String origin() {
            return topic + "/" + where.partition() + "@" + where.offset();
        }
    }

    private static final List<Sent> BAD = new ArrayList<>();
    private static final List<Sent> GOOD = new ArrayList<>();
    private static final Map<String, Network> EXPECTED = new LinkedHashMap<>();
    private static final Map<String, List<Double>> EXPECTED_LOSSES = new HashMap<>();
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;
    private static List<ConsumerRecord<byte[], byte[]>> metrics;
    private static List<ConsumerRecord<byte[], byte[]>> weights;
    private static long corpusMillis;

    @BeforeAll
    static void sendTheCorpusToARunningTrainer() throws Exception {
        kafka = EmbeddedKafkaBroker.builder().start();
        List<TopicSpec> specs = new ArrayList<>();
        for (TopicSpec t : Trainer.topicSpecs(TOPICS, PARTITIONS)) {
            boolean large = t.name().equals(TOPICS.samples()) || t.name().equals(TOPICS.deadLetters());
            specs.add(large ? t.withConfig("max.message.bytes", Integer.toString(MAX_RECORD_BYTES)) : t);
        }
        Topics.createIfMissing(kafka.clientProperties(), specs, WAIT);

        applicationId = "bad-input-corpus-" + System.nanoTime();
        Properties config = kafka.clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_RECORD_BYTES));
        trainer = Trainer.start(config, PARTITIONS, WAIT);

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // the two explicit models exist before any of their samples is sent
            send(producer, "spec", TOPICS.models(), M, utf8(M_SPEC), null).get();
            send(producer, "spec", TOPICS.models(), HOT, utf8(HOT_SPEC), null).get();
            RobustSupport.await("the create events of '" + M + "' and '" + HOT + "'", WAIT,
                    () -> RobustSupport.readAll(kafka.clientProperties(), TOPICS.weights(), WAIT).stream()
                            .map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(Collectors.toSet()),
                    keys -> keys.containsAll(Set.of(M, HOT)));

            ModelSpecs.Definition m = ModelSpecs.toDefinition(ModelSpecs.fromJson(M_SPEC));
            EXPECTED.put(M, new Network(m.spec(), m.parameters()));
            EXPECTED.put(Lecture.MODEL_ID, Lecture.network());
            EXPECTED.keySet().forEach(id -> EXPECTED_LOSSES.put(id, new ArrayList<>()));

            long t0 = System.nanoTime();
            List<Pending> pending = new ArrayList<>();
            List<Bad> corpus = corpus();
            List<String> goodKeys = new ArrayList<>();
            for (int i = 0; i < GOOD_M; i++) {
                goodKeys.add(M);
            }
            for (int i = 0; i < GOOD_LECTURE; i++) {
                goodKeys.add(Lecture.MODEL_ID);
            }
            Random random = new Random(20_240_601);
            java.util.Collections.shuffle(goodKeys, random);
            int badEvery = Math.max(1, goodKeys.size() / corpus.size());
            int next = 0;
            for (int i = 0; i < goodKeys.size(); i++) {
                String id = goodKeys.get(i);
                double[] input = {random.nextDouble() * 2 - 1, random.nextDouble() * 2 - 1};
                double[] target = {random.nextDouble(), random.nextDouble()};
                // Both encodings, as a producer may mix them
                byte[] value = i % 3 == 0 ? SampleCodec.toAvro(input, target) : utf8(SampleCodec.toJson(input, target));
                EXPECTED_LOSSES.get(id).add(EXPECTED.get(id).step(input, target));
                pending.add(new Pending("good", TOPICS.samples(), utf8(id), value, null,
                        send(producer, "good", TOPICS.samples(), id, value, null)));
                if (i % badEvery == badEvery - 1 && next < corpus.size()) {
                    pending.add(sendBad(producer, corpus.get(next++)));
                }
            }
            while (next < corpus.size()) {
                pending.add(sendBad(producer, corpus.get(next++)));
            }
            producer.flush();
            for (Pending p : pending) {
                Sent s = new Sent(p.kind, p.topic, p.key, p.value, p.reason, p.future.get(30, TimeUnit.SECONDS));
                (s.reason() == null ? GOOD : BAD).add(s);
            }
            awaitAllInputCommitted();
            corpusMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
        deadLetters = RobustSupport.readAll(kafka.clientProperties(), TOPICS.deadLetters(), WAIT);
        metrics = RobustSupport.readAll(kafka.clientProperties(), TOPICS.metrics(), WAIT);
        weights = RobustSupport.readAll(kafka.clientProperties(), TOPICS.weights(), WAIT);
    }

    @AfterAll
    static void stop() {
        if (trainer != null) {
            trainer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void everyBadRecordIsDeadLetteredOnceWithItsReasonAndWhereItCameFrom() {
        Map<String, Sent> byOrigin = new HashMap<>();
        BAD.forEach(b -> assertNull(byOrigin.put(b.origin(), b), "two bad records at " + b.origin()));
        Map<String, Integer> byReason = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> dl : deadLetters) {
            String reason = DeadLetters.header(dl.headers(), DeadLetters.REASON);
            String origin = DeadLetters.header(dl.headers(), DeadLetters.TOPIC) + "/"
                    + DeadLetters.header(dl.headers(), DeadLetters.PARTITION) + "@"
                    + DeadLetters.header(dl.headers(), DeadLetters.OFFSET);
            Sent bad = byOrigin.get(origin);
            assertNotNull(bad, "dead letter with reason " + reason + " from " + origin + " (kind header "
                    + DeadLetters.header(dl.headers(), KIND) + ") is not one of the bad records sent");
            assertTrue(seen.add(origin), "a second dead letter for " + bad.kind() + " at " + origin);
            assertEquals(bad.reason(), reason, "reason of " + bad.kind() + " at " + origin + "; message: "
                    + DeadLetters.header(dl.headers(), DeadLetters.MESSAGE));
            assertEquals(bad.kind(), DeadLetters.header(dl.headers(), KIND), "the original headers are kept");
            String message = DeadLetters.header(dl.headers(), DeadLetters.MESSAGE);
            assertTrue(message != null && !message.isBlank(), "a message for " + bad.kind());
            assertArrayEquals(bad.key(), dl.key(), "the original key of " + bad.kind());
            assertTrue(Arrays.equals(bad.value(), dl.value()), "the original value of " + bad.kind()
                    + " (" + length(bad.value()) + " bytes sent, " + length(dl.value()) + " bytes dead-lettered)");
            byReason.merge(reason, 1, Integer::sum);
        }
        Set<String> missing = new TreeSet<>();
        BAD.stream().filter(b -> !seen.contains(b.origin())).forEach(b -> missing.add(b.kind() + " at " + b.origin()));
        assertTrue(missing.isEmpty(), "bad records without a dead letter: " + missing);
        assertEquals(BAD.size(), deadLetters.size(), "one dead letter per bad record");

        Map<String, Integer> kindsByReason = new TreeMap<>();
        BAD.forEach(b -> kindsByReason.merge(b.reason(), 1, Integer::sum));
        assertEquals(kindsByReason, byReason, "dead letters by reason");
        System.out.printf("BadInputCorpusIT: %d bad records of %d kinds and %d good samples (%d '%s', %d '%s') sent and processed in %d ms;"
                        + " %d dead letters; by reason %s%n",
                BAD.size(), BAD.stream().map(Sent::kind).distinct().count(), GOOD.size(), GOOD_M, M, GOOD_LECTURE, Lecture.MODEL_ID,
                corpusMillis, deadLetters.size(), byReason);
    }

    @Test
    @Order(2)
    void theGoodSamplesTrainExactlyAsIfTheBadOnesHadNeverBeenSent() {
        ReadOnlyKeyValueStore<String, ModelState> store = trainer.streams().store(
                StoreQueryParameters.fromNameAndType(TrainerTopology.STORE, QueryableStoreTypes.keyValueStore()));
        for (Map.Entry<String, Network> e : EXPECTED.entrySet()) {
            String id = e.getKey();
            Network expected = e.getValue();
            ModelState state = store.get(id);
            assertNotNull(state, "model " + id + " in the store");
            assertEquals(expected.step(), state.network().step(), "steps of " + id);
            assertArrayEquals(expected.parameters(), state.network().parameters(), "parameters of " + id + " in the store, bit for bit");

            WeightsUpdate last = null;
            for (ConsumerRecord<byte[], byte[]> r : weights) {
                if (id.equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() != null) {
                    last = Serdes.WEIGHTS_UPDATE.decode(r.value());
                }
            }
            assertNotNull(last, "a weights update of " + id);
            assertEquals(expected.step(), last.getStep(), "step of the last weights update of " + id);
            assertArrayEquals(expected.parameters(), WeightsUpdates.parameters(last), "last published parameters of " + id);

            List<Double> losses = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : metrics) {
                TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                if (id.equals(m.getModelId())) {
                    assertEquals(losses.size() + 1, m.getStep(), "metric steps of " + id + " follow each other");
                    losses.add(m.getLoss());
                }
            }
            assertEquals(EXPECTED_LOSSES.get(id), losses, "every prequential loss of " + id + ", in order");
        }
        assertEquals(GOOD_M + GOOD_LECTURE, metrics.size(), "one metric per good sample, none for a bad record");

        // The overflowing model was never stepped: it is exactly as created.
        ModelState hot = store.get(HOT);
        ModelSpecs.Definition created = ModelSpecs.toDefinition(ModelSpecs.fromJson(HOT_SPEC));
        assertEquals(0, hot.network().step());
        assertArrayEquals(created.parameters(), hot.network().parameters(), "model " + HOT + " untouched");
        assertNull(store.get("nobody"), "an unknown model id creates nothing");
    }

    /**
     * {@code models} is compacted, and the broker refuses a keyless record on a compacted topic, so
     * a spec without a key never reaches the trainer (its missing-key branch is for a non-compacted
     * {@code models} topic). The refusal fails the producer's whole batch, so this record goes alone.
     */
    @Test
    @Order(3)
    void aSpecWithoutAKeyIsRefusedByTheBrokerSinceModelsIsCompacted() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> send(producer, "spec-without-key", TOPICS.models(), null, utf8(M_SPEC), null).get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof org.apache.kafka.common.InvalidRecordException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("Compacted topic cannot accept message without key"), e.getCause().getMessage());
        }
    }

    /** Last: after everything above, the trainer is still RUNNING. */
    @Test
    @Order(4)
    void theTrainerKeepsRunning() {
        assertEquals(KafkaStreams.State.RUNNING, trainer.streams().state());
        assertNull(trainer.failure(), "no error stopped a stream thread");
    }

    // ---------------------------------------------------------------- poison pills found by this corpus
    //
    // Each of these used to stop the trainer (and, its offset never committed, stop it again after
    // every restart). Each runs its own trainer on its own topics, with Kafka's default size limits
    // for everything the trainer does not configure itself.

    /**
     * A 1,048,000-byte garbage sample fits the default limits of {@code samples} and of the
     * producer, but its dead letter is about 700 bytes larger (the error headers), over the trainer
     * producer's default {@code max.request.size} of 1 MiB: {@code RecordTooLargeException}, and
     * the trainer stops.
     */
    @Test
    @Order(10)
    void aBadRecordJustUnderTheDefaultSizeLimitIsDeadLetteredAndTheTrainerKeepsRunning() throws Exception {
        byte[] garbage = new byte[1_048_000];
        Arrays.fill(garbage, (byte) 'x');
        assertDeadLetteredWhileRunning("near-limit", TopicNames::samples, Lecture.MODEL_ID, garbage);
    }

    /**
     * A spec of 2,066,010 parameters ([784,2600,10]), over the 2,000,000 that fit one weights record
     * within the trainer's 64 MiB record limit: refused as {@code invalid-spec}. (Before the limits
     * were raised and the cap added, a [784,256,10] model's 1.6 MB create event stopped the trainer.)
     */
    @Test
    @Order(11)
    void aModelTooLargeToPublishIsRejectedAndTheTrainerKeepsRunning() throws Exception {
        assertDeadLetteredWhileRunning("too-large-to-publish", TopicNames::models, "big",
                utf8("{\"layers\":[784,2600,10],\"activation\":\"sigmoid\",\"learningRate\":0.1,\"seed\":1}"));
    }

    /**
     * [2,40000,40000,2] is 1.6 billion parameters, under the array limit that {@code NetworkSpec}
     * checks: building it throws {@code OutOfMemoryError}, which no handler catches, and the trainer stops.
     */
    @Test
    @Order(12)
    void aSpecTooLargeForTheHeapIsRejectedAndTheTrainerKeepsRunning() throws Exception {
        assertDeadLetteredWhileRunning("too-large-for-the-heap", TopicNames::models, "huge",
                utf8("{\"layers\":[2,40000,40000,2],\"activation\":\"sigmoid\",\"learningRate\":0.1,\"seed\":1}"));
    }

    /** Sends one record to a fresh trainer with default limits; it must be dead-lettered, and the trainer stay RUNNING. */
    private static void assertDeadLetteredWhileRunning(String name, java.util.function.Function<TopicNames, String> topic,
                                                       String key, byte[] value) throws Exception {
        TopicNames topics = new TopicNames(name + ".samples", name + ".models", name + ".weights", name + ".metrics",
                name + ".dead-letters");
        Properties config = kafka.clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-" + name + "-" + System.nanoTime());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        config.put(TopicNames.PREFIX + "samples", topics.samples());
        config.put(TopicNames.PREFIX + "models", topics.models());
        config.put(TopicNames.PREFIX + "weights", topics.weights());
        config.put(TopicNames.PREFIX + "metrics", topics.metrics());
        config.put(TopicNames.PREFIX + "dead-letters", topics.deadLetters());
        try (Trainer isolated = Trainer.start(config, 1, WAIT);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata where = producer.send(new ProducerRecord<>(topic.apply(topics), utf8(key), value)).get(30, TimeUnit.SECONDS);
            List<ConsumerRecord<byte[], byte[]>> dead = RobustSupport.await("a dead letter for " + where + ", or the trainer to stop", WAIT,
                    () -> isolated.streams().state() == KafkaStreams.State.RUNNING
                            ? RobustSupport.readAll(kafka.clientProperties(), topics.deadLetters(), WAIT) : null,
                    d -> d == null || !d.isEmpty());
            Throwable root = isolated.failure();
            while (root != null && root.getCause() != null) {
                root = root.getCause();
            }
            assertNull(isolated.failure(), "the trainer was stopped by " + root);
            assertNotNull(dead);
            assertEquals(1, dead.size());
            assertEquals(Long.toString(where.offset()), DeadLetters.header(dead.get(0).headers(), DeadLetters.OFFSET));
            assertEquals(KafkaStreams.State.RUNNING, isolated.streams().state());
        }
    }

    // ---------------------------------------------------------------- the corpus

    /** A bad record to send: its kind, where, what, and the reason code it must be dead-lettered with. */
    private record Bad(String kind, String topic, String key, byte[] value, String reason) {
    }

    private static List<Bad> corpus() {
        String s = TOPICS.samples();
        String ms = TOPICS.models();
        double[] in = {0.05, 0.1};
        double[] out = {0.01, 0.99};
        byte[] avro = SampleCodec.toAvro(in, out);
        // Layout: C3 01 | 8-byte fingerprint | input count (zigzag 2 = 0x04) | 2 doubles | 0x00 | target count | 2 doubles | 0x00 | union index of id
        assertEquals(47, avro.length);
        assertEquals(0x04, avro[10]);
        assertEquals(0x04, avro[28]);
        byte[] spec = Serdes.MODEL_SPEC.encode(ModelSpecs.fromJson(M_SPEC));
        ModelSpec nanRate = ModelSpecs.fromJson(M_SPEC);
        nanRate.setLearningRate(Double.NaN);

        List<Bad> c = new ArrayList<>();
        // Avro samples
        c.add(new Bad("avro-truncated", s, M, Arrays.copyOf(avro, 30), "undecodable-avro"));
        c.add(new Bad("avro-bit-flip-in-union-index", s, M, flip(avro, 46, 0x08), "undecodable-avro"));
        c.add(new Bad("avro-bit-flip-in-target-count", s, M, flip(avro, 28, 0x02), "undecodable-avro"));
        c.add(new Bad("avro-bit-flip-in-input-count", s, M, flip(avro, 10, 0x80), "undecodable-avro"));
        c.add(new Bad("avro-unknown-fingerprint", s, M, flip(avro, 5, 0x55), "unknown-schema"));
        c.add(new Bad("avro-model-spec-sent-as-sample", s, M, spec, "unknown-schema"));
        c.add(new Bad("avro-single-object-header-only", s, M, Arrays.copyOf(avro, 10), "undecodable-avro"));
        c.add(new Bad("avro-array-count-2^31-9", s, M, withInputCount(avro, Integer.MAX_VALUE - 8L), "undecodable-avro"));
        c.add(new Bad("avro-array-count-2^40", s, M, withInputCount(avro, 1L << 40), "undecodable-avro"));
        c.add(new Bad("avro-nan-input", s, M, SampleCodec.toAvro(new double[] {Double.NaN, 0.1}, out), "non-finite-value"));
        c.add(new Bad("avro-wrong-input-length", s, M, SampleCodec.toAvro(new double[] {1, 2, 3}, out), "wrong-input-length"));
        // JSON samples
        c.add(new Bad("json-malformed", s, M, utf8("{\"input\":[0.05,0.1],\"target\":[0.01,"), "malformed-json"));
        c.add(new Bad("json-trailing-content", s, M, utf8(SampleCodec.toJson(in, out) + " {}"), "malformed-json"));
        c.add(new Bad("binary-garbage", s, M, garbage(64), "malformed-json"));
        c.add(new Bad("json-array", s, M, utf8("[[0.05,0.1],[0.01,0.99]]"), "wrong-json-shape"));
        c.add(new Bad("json-missing-target", s, M, utf8("{\"input\":[0.05,0.1]}"), "wrong-json-shape"));
        c.add(new Bad("json-non-numeric-entry", s, M, utf8("{\"input\":[0.05,\"0.1\"],\"target\":[0.01,0.99]}"), "wrong-json-shape"));
        c.add(new Bad("json-unknown-field", s, M, utf8("{\"input\":[0.05,0.1],\"target\":[0.01,0.99],\"weight\":2}"), "wrong-json-shape"));
        c.add(new Bad("wrong-input-length", s, M, json(new double[] {0.05, 0.1, 0.2}, out), "wrong-input-length"));
        c.add(new Bad("wrong-target-length", s, M, json(in, new double[] {0.5}), "wrong-target-length"));
        c.add(new Bad("empty-input-vector", s, M, json(new double[0], out), "empty-vector"));
        c.add(new Bad("empty-target-vector", s, M, json(in, new double[0]), "empty-vector"));
        c.add(new Bad("json-nan", s, M, utf8("{\"input\":[NaN,0.1],\"target\":[0.01,0.99]}"), "non-finite-value"));
        c.add(new Bad("json-infinity", s, M, utf8("{\"input\":[0.05,0.1],\"target\":[-Infinity,0.99]}"), "non-finite-value"));
        c.add(new Bad("json-1e999", s, M, utf8("{\"input\":[0.05,1e999],\"target\":[0.01,0.99]}"), "non-finite-value"));
        c.add(new Bad("ten-megabyte-sample", s, M, tenMegabyteSample(), "wrong-input-length"));
        c.add(new Bad("unknown-model", s, "nobody", json(in, out), "unknown-model"));
        c.add(new Bad("sample-without-key", s, null, json(in, out), "missing-key"));
        c.add(new Bad("sample-empty-value", s, M, new byte[0], "empty-value"));
        c.add(new Bad("sample-null-value", s, M, null, "empty-value"));
        c.add(new Bad("learning-rate-overflows-weights", s, HOT, json(new double[] {100, 100}, new double[] {-1e6}), "non-finite-step"));
        // Specs, all for the live model m: none may reset it
        c.add(new Bad("spec-zero-layer-size", ms, M, utf8("{\"layers\":[2,0,2],\"learningRate\":0.5}"), "invalid-spec"));
        c.add(new Bad("spec-negative-layer-size", ms, M, utf8("{\"layers\":[2,-3,2],\"learningRate\":0.5}"), "invalid-spec"));
        c.add(new Bad("spec-negative-learning-rate", ms, M, utf8("{\"layers\":[2,3,2],\"learningRate\":-0.5}"), "invalid-spec"));
        c.add(new Bad("spec-not-json", ms, M, utf8("layers: [2,3,2]\nlearningRate: 0.5"), "invalid-spec"));
        c.add(new Bad("spec-unknown-field", ms, M, utf8("{\"layers\":[2,3,2],\"learningRate\":0.5,\"dropout\":0.1}"), "invalid-spec"));
        c.add(new Bad("spec-empty-value", ms, M, new byte[0], "invalid-spec"));
        c.add(new Bad("spec-avro-nan-learning-rate", ms, M, Serdes.MODEL_SPEC.encode(nanRate), "invalid-spec"));
        c.add(new Bad("spec-avro-truncated", ms, M, Arrays.copyOf(spec, spec.length / 2), "undecodable-avro"));
        c.add(new Bad("spec-avro-sample-sent-as-spec", ms, M, avro, "unknown-schema"));
        // What a hostile tester found (issue 18): leniency, ids, and specs that poisoned every listing
        c.add(new Bad("avro-trailing-garbage", s, M, concat(avro, garbage(7)), "undecodable-avro"));
        c.add(new Bad("json-duplicate-input-key", s, M, utf8("{\"input\":[0.05,0.1],\"target\":[0.01,0.99],\"input\":[9,9]}"),
                "malformed-json"));
        c.add(new Bad("sample-markup-model-id", s, "<img src=x onerror=alert(1)>", json(in, out), "invalid-model-id"));
        c.add(new Bad("sample-empty-model-id", s, "", json(in, out), "invalid-model-id"));
        c.add(new Bad("sample-slash-in-model-id", s, "a/b", json(in, out), "invalid-model-id"));
        c.add(new Bad("sample-129-character-model-id", s, "x".repeat(129), json(in, out), "invalid-model-id"));
        c.add(new Bad("spec-markup-model-id", ms, "<script>alert(1)</script>", utf8(M_SPEC), "invalid-model-id"));
        c.add(new Bad("spec-100000-layers", ms, M, utf8("{\"layers\":[" + String.join(",", java.util.Collections.nCopies(100_000, "1"))
                + "],\"learningRate\":0.5}"), "invalid-spec"));
        c.add(new Bad("spec-int-overflow-parameters", ms, M, utf8("{\"layers\":[2147483647,2147483647],\"learningRate\":0.5}"),
                "invalid-spec"));
        c.add(new Bad("spec-layer-beyond-int", ms, M, utf8("{\"layers\":[2,99999999999999999999,1],\"learningRate\":0.5}"),
                "invalid-spec"));
        c.add(new Bad("spec-seed-not-a-number", ms, M, utf8("{\"layers\":[2,3,2],\"learningRate\":0.5,\"seed\":\"x\"}"),
                "invalid-spec"));
        c.add(new Bad("spec-duplicate-key", ms, M, utf8("{\"layers\":[2,3,2],\"learningRate\":0.5,\"learningRate\":9}"),
                "invalid-spec"));
        c.add(new Bad("spec-avro-trailing-garbage", ms, M, concat(spec, garbage(7)), "undecodable-avro"));
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] flip(byte[] bytes, int index, int mask) {
        byte[] copy = bytes.clone();
        copy[index] ^= (byte) mask;
        return copy;
    }

    /** The sample with its input array's item count replaced by {@code count} (a zigzag varint), the rest unchanged. */
    private static byte[] withInputCount(byte[] avro, long count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(avro, 0, 10);
        long z = (count << 1) ^ (count >> 63);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        out.write(avro, 11, avro.length - 11);
        return out.toByteArray();
    }

    /** Bytes that are neither Avro (no C3 01 marker) nor JSON. */
    private static byte[] garbage(int n) {
        byte[] b = new byte[n];
        new Random(5).nextBytes(b);
        b[0] = (byte) 0xFF;
        return b;
    }

    /** A JSON sample of about 10 MB: 2.6 million input values for a model that expects 2. */
    private static byte[] tenMegabyteSample() {
        int n = (10 << 20) / 4;
        StringBuilder sb = new StringBuilder(n * 4 + 64).append("{\"input\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "0.5" : ",0.5");
        }
        byte[] bytes = utf8(sb.append("],\"target\":[0.01,0.99]}").toString());
        assertTrue(bytes.length >= 10 << 20, "at least 10 MiB, got " + bytes.length);
        return bytes;
    }

    // ---------------------------------------------------------------- helpers

    private record Pending(String kind, String topic, byte[] key, byte[] value, String reason, Future<RecordMetadata> future) {
    }

    private static Pending sendBad(KafkaProducer<byte[], byte[]> producer, Bad b) {
        return new Pending(b.kind(), b.topic(), b.key() == null ? null : utf8(b.key()), b.value(), b.reason(),
                send(producer, b.kind(), b.topic(), b.key(), b.value(), null));
    }

    private static Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String kind, String topic, String key,
                                               byte[] value, Integer partition) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KIND, utf8(kind));
        return producer.send(new ProducerRecord<>(topic, partition, key == null ? null : utf8(key), value, headers));
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_RECORD_BYTES));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Under exactly-once, input offsets are committed with the outputs they caused: all committed means all processed. */
    private static void awaitAllInputCommitted() throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            RobustSupport.await("the trainer to commit every input record", WAIT, () -> {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (String t : List.of(TOPICS.samples(), TOPICS.models())) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        latest.put(new TopicPartition(t, p), OffsetSpec.latest());
                    }
                }
                Map<TopicPartition, Long> behind = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> {
                    OffsetAndMetadata c = committed.get(tp);
                    long lag = info.offset() - (c == null ? 0 : c.offset());
                    if (lag != 0) {
                        behind.put(tp, lag);
                    }
                });
                if (trainer.streams().state() != KafkaStreams.State.RUNNING) {
                    fail("the trainer is " + trainer.streams().state() + ": " + trainer.failure());
                }
                return behind;
            }, Map::isEmpty);
        }
    }

    private static byte[] json(double[] input, double[] target) {
        return utf8(SampleCodec.toJson(input, target));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int length(byte[] b) {
        return b == null ? -1 : b.length;
    }
}
