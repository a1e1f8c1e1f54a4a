package io.backpropstreams.it.clients;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.client.Clients;
import io.backpropstreams.cli.Main;
import io.backpropstreams.it.SharedBroker;
import io.backpropstreams.it.Waits;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.service.Trainer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Samples and specs from the clients people use reach their model, whichever partition the client
 * chose: kcat and confluent-kafka-python with their default partitioner (CRC32 of the key), and
 * the Java producer with explicit random partitions. A trainer with default settings on 4
 * partitions trains 8 models, half created by {@code model create} and half by a JSON spec sent
 * with kcat, and every model ends bit-identical to the in-process core fed the sequence it applied.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AnyClientIT {

    static final int PARTITIONS = 4;
    static final int SAMPLES_PER_MODEL = 400;

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @TempDir
    static Path dir;

    private static Trainer trainer;

    @BeforeAll
    static void startTrainer() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "any-client-it");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        trainer = Trainer.start(p, PARTITIONS, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopTrainer() {
        if (trainer != null) {
            trainer.close();
        }
    }

    /** The partition librdkafka's default partitioner ({@code consistent_random}) picks for a key: CRC32 mod n. */
    static int crc32Partition(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % PARTITIONS);
    }

    static int murmur2Partition(String key) {
        return ModelPartitioner.partitionOf(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    static String spec(int seed) {
        return "{\"layers\":[2,3,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"trainBiases\":true,\"seed\":" + seed + "}";
    }

    static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    static CommandResult cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return new CommandResult(cl.execute(args), out.toString());
    }

    record CommandResult(int exit, String output) {
    }

    @Test
    void samplesFromEveryClientReachTheirModelBitForBit() throws Exception {
        String kcat = ExternalClients.requireKcat();
        ExternalClients.requirePython();
        TopicNames topics = TopicNames.DEFAULTS;
        // ids whose CRC32 partition differs from murmur2's for the librdkafka clients, so that those samples need rerouting
        List<String> misrouted = new ArrayList<>();
        List<String> any = new ArrayList<>();
        for (int i = 0; misrouted.size() < 6 || any.size() < 2; i++) {
            String id = "client-m" + i;
            if (crc32Partition(id) != murmur2Partition(id) && misrouted.size() < 6) {
                misrouted.add(id);
            } else if (any.size() < 2) {
                any.add(id);
            }
        }
        List<String> byKcat = misrouted.subList(0, 3);
        List<String> byPython = misrouted.subList(3, 6);
        List<String> byJavaRandom = any;
        Map<String, String> specs = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        all.addAll(byKcat);
        all.addAll(byPython);
        all.addAll(byJavaRandom);
        for (int i = 0; i < all.size(); i++) {
            specs.put(all.get(i), spec(100 + i));
        }
        // half of the specs by `model create`, half as JSON sent with kcat (misrouted where CRC32 says so)
        List<ExternalClients.Line> kcatSpecs = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String id = all.get(i);
            if (i % 2 == 0) {
                Path f = dir.resolve(id + ".json");
                Files.writeString(f, specs.get(id));
                CommandResult r = cli("model", "create", id, "--spec", f.toString(), "-b", KAFKA.bootstrapServers());
                assertEquals(0, r.exit(), r.output());
            } else {
                kcatSpecs.add(new ExternalClients.Line(id, specs.get(id)));
            }
        }
        ExternalClients.kcatProduce(KAFKA.bootstrapServers(), topics.models(), kcatSpecs);
        awaitCreated(KAFKA.bootstrapServers(), all);

        SplittableRandom random = new SplittableRandom(42);
        Map<String, List<SampleCodec.Vectors>> sent = new LinkedHashMap<>();
        for (String id : all) {
            List<SampleCodec.Vectors> samples = new ArrayList<>();
            for (int i = 0; i < SAMPLES_PER_MODEL; i++) {
                // distinct targets: each metric's target tells which sample was applied at that step
                samples.add(new SampleCodec.Vectors(new double[] {random.nextDouble(), random.nextDouble()},
                        new double[] {random.nextDouble(), random.nextDouble()}));
            }
            sent.put(id, samples);
        }
        ExternalClients.kcatProduce(KAFKA.bootstrapServers(), topics.samples(), jsonLines(byKcat, sent));
        ExternalClients.pythonProduce(KAFKA.bootstrapServers(), topics.samples(), jsonLines(byPython, sent), dir);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client(KAFKA.bootstrapServers()))) {
            for (int i = 0; i < SAMPLES_PER_MODEL; i++) {
                for (String id : byJavaRandom) {
                    SampleCodec.Vectors v = sent.get(id).get(i);
                    producer.send(new ProducerRecord<>(topics.samples(), random.nextInt(PARTITIONS), id, SampleCodec.toAvro(v.input(), v.target())));
                }
            }
            producer.flush();
        }

        Map<String, List<TrainingMetric>> metrics = awaitMetrics(KAFKA.bootstrapServers(), all, SAMPLES_PER_MODEL);
        Map<String, WeightsUpdate> lastWeights = lastWeights(KAFKA.bootstrapServers());
        Map<String, Integer> partitionsUsed = partitionsOfSamples(KAFKA.bootstrapServers());
        for (String id : all) {
            List<Integer> order = appliedOrder(id, sent.get(id), metrics.get(id));
            if (!byJavaRandom.contains(id)) {
                // a keyed partitioner keeps a model's samples on one partition, so its order survives the reroute
                List<Integer> asSent = new ArrayList<>();
                for (int i = 0; i < SAMPLES_PER_MODEL; i++) {
                    asSent.add(i);
                }
                assertEquals(asSent, order, id + ": applied in the order the client sent them");
                assertEquals(crc32Partition(id), partitionsUsed.get(id), id + ": the client put it on its CRC32 partition");
                assertTrue(partitionsUsed.get(id) != murmur2Partition(id), id + ": not the model's own partition");
            }
            ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(specs.get(id)));
            Network core = new Network(d.spec(), d.parameters());
            for (int i : order) {
                core.step(sent.get(id).get(i).input(), sent.get(id).get(i).target());
            }
            WeightsUpdate w = lastWeights.get(id);
            assertEquals(SAMPLES_PER_MODEL, w.getStep(), id + ": steps");
            assertArrayEquals(core.parameters(), WeightsUpdates.parameters(w), id + ": bit-identical to the in-process core");
        }
        assertEquals(0, count(KAFKA.bootstrapServers(), topics.deadLetters()), "no dead letter");
        System.out.printf("any-client: %d models, kcat %s, python %s, java-random %s; all bit-identical, 0 dead letters%n",
                all.size(), byKcat, byPython, byJavaRandom);
    }

    static List<ExternalClients.Line> jsonLines(List<String> ids, Map<String, List<SampleCodec.Vectors>> sent) {
        List<ExternalClients.Line> lines = new ArrayList<>();
        for (int i = 0; i < SAMPLES_PER_MODEL; i++) {
            for (String id : ids) {
                SampleCodec.Vectors v = sent.get(id).get(i);
                lines.add(new ExternalClients.Line(id, SampleCodec.toJson(v.input(), v.target())));
            }
        }
        return lines;
    }

    /** Which sample each step applied, recovered from the metric's target; fails on a loss or a repeat. */
    static List<Integer> appliedOrder(String id, List<SampleCodec.Vectors> sent, List<TrainingMetric> metrics) {
        Map<List<Double>, Integer> index = new HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            index.put(List.of(sent.get(i).target()[0], sent.get(i).target()[1]), i);
        }
        List<Integer> order = new ArrayList<>();
        boolean[] seen = new boolean[sent.size()];
        for (int s = 0; s < metrics.size(); s++) {
            TrainingMetric m = metrics.get(s);
            assertEquals(s + 1, m.getStep(), id + ": steps 1..N in order");
            Integer i = index.get(m.getTarget());
            assertTrue(i != null, id + ": step " + m.getStep() + " applied a sample that was never sent: " + m.getTarget());
            assertTrue(!seen[i], id + ": sample " + i + " applied twice");
            seen[i] = true;
            order.add(i);
        }
        assertEquals(sent.size(), order.size(), id + ": every sample applied");
        return order;
    }

    static void awaitCreated(String bootstrap, List<String> ids) {
        Map<String, Boolean> created = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client(bootstrap))) {
            Clients.assignAll(c, TopicNames.DEFAULTS.weights(), true);
            Waits.until("models " + ids + " created", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && "create".equals(Serdes.WEIGHTS_UPDATE.decode(r.value()).getEvent())) {
                        created.put(new String(r.key(), StandardCharsets.UTF_8), true);
                    }
                }
                return created.keySet().containsAll(ids);
            });
        }
    }

    static Map<String, List<TrainingMetric>> awaitMetrics(String bootstrap, List<String> ids, int perModel) {
        Map<String, List<TrainingMetric>> byModel = new TreeMap<>();
        ids.forEach(id -> byModel.put(id, new ArrayList<>()));
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client(bootstrap))) {
            Clients.assignAll(c, TopicNames.DEFAULTS.metrics(), true);
            Waits.until("every model's metrics", Duration.ofSeconds(120), () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                    byModel.computeIfAbsent(m.getModelId(), k -> new ArrayList<>()).add(m);
                }
                return ids.stream().allMatch(id -> byModel.get(id).size() >= perModel);
            });
        }
        return byModel;
    }

    static Map<String, WeightsUpdate> lastWeights(String bootstrap) {
        Map<String, WeightsUpdate> last = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client(bootstrap))) {
            Clients.readToEnd(c, TopicNames.DEFAULTS.weights(), Duration.ofSeconds(60), r -> {
                if (r.value() != null) {
                    WeightsUpdate w = Serdes.WEIGHTS_UPDATE.decode(r.value());
                    last.merge(w.getModelId(), w, (a, b) -> b.getStep() >= a.getStep() ? b : a);
                }
            });
        }
        return last;
    }

    /** The one partition each key's samples were found on (-1 if on several). */
    static Map<String, Integer> partitionsOfSamples(String bootstrap) {
        Map<String, Integer> p = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client(bootstrap))) {
            Clients.readToEnd(c, TopicNames.DEFAULTS.samples(), Duration.ofSeconds(60), r -> p.merge(
                    new String(r.key(), StandardCharsets.UTF_8), r.partition(), (a, b) -> a.equals(b) ? a : -1));
        }
        return p;
    }

    static long count(String bootstrap, String topic) {
        long[] n = {0};
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client(bootstrap))) {
            Clients.readToEnd(c, topic, Duration.ofSeconds(60), r -> n[0]++);
        }
        return n[0];
    }
}
