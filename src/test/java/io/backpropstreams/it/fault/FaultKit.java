package io.backpropstreams.it.fault;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Small helpers the fault-injection tests share: directories, trainer configs, children, progress and lag. */
final class FaultKit {

    /** How long a child trainer may take to print its ready line (JVM start, group join, restore). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Consumer group session timeout of the trainers: the broker's minimum, so that a killed member is noticed fast. */
    static final int SESSION_TIMEOUT_MS = 6_000;

    private FaultKit() {
    }

    /** The seed: {@code -Dfault.seed=N} to reproduce a run, else a fresh one. */
    static long seed() {
        return Long.getLong("fault.seed", System.currentTimeMillis());
    }

    /** {@code target/fault-it/<name>}, emptied: the children's stdout/stderr, config files and state directories. */
    static Path workDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "fault-it", name);
        deleteRecursively(base);
        Files.createDirectories(base);
        return base;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Topic names with a prefix, so that the scenarios of one class do not share topics. */
    static TopicNames topics(String prefix) {
        return new TopicNames(prefix + "samples", prefix + "models", prefix + "weights", prefix + "metrics", prefix + "dead-letters");
    }

    static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    /**
     * Writes a trainer properties file for {@code run --config}: application id, state directory,
     * processing guarantee, topic names, a short session timeout, and any extras.
     */
    static Path trainerConfig(Path file, String applicationId, Path stateDir, String guarantee, TopicNames topics,
                              Map<String, String> extra) throws IOException {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(SESSION_TIMEOUT_MS));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500");
        p.put(TopicNames.PREFIX + "samples", topics.samples());
        p.put(TopicNames.PREFIX + "models", topics.models());
        p.put(TopicNames.PREFIX + "weights", topics.weights());
        p.put(TopicNames.PREFIX + "metrics", topics.metrics());
        p.put(TopicNames.PREFIX + "dead-letters", topics.deadLetters());
        p.putAll(extra);
        Files.createDirectories(file.getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "fault-injection trainer");
        }
        return file;
    }

    /** Starts {@code run} in a child JVM and waits for "Trainer running". */
    static ChildJvm startTrainer(String name, Path logDir, String bootstrap, Path config, int partitions) throws Exception {
        ChildJvm child = ChildJvm.start(name, logDir, List.of("run", "--bootstrap-servers", bootstrap, "--config", config.toString(),
                "--http-port", "0", "--partitions", Integer.toString(partitions), "--timeout", "90"));
        return awaitRunning(child, START_TIMEOUT);
    }

    /** Waits until a {@code run} child prints "Trainer running"; closes it and rethrows if it does not. */
    static ChildJvm awaitRunning(ChildJvm child, Duration timeout) throws InterruptedException {
        try {
            child.awaitOutput("Trainer running", timeout);
        } catch (AssertionError | RuntimeException e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** Starts {@code broker --port P --data-dir DIR} in a child JVM and waits for "Kafka broker ready at". */
    static ChildJvm startBroker(String name, Path logDir, int port, Path dataDir) throws Exception {
        ChildJvm child = ChildJvm.start(name, logDir, List.of("broker", "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        try {
            child.awaitOutput("Kafka broker ready at", START_TIMEOUT);
        } catch (AssertionError | RuntimeException e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** A port that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }

    static Admin admin(String bootstrap) {
        Properties p = client(bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /**
     * How far the group's committed offsets on {@code topic} are behind the end offsets, and the
     * sum of those end offsets.
     */
    static long[] lagAndEnd(Admin admin, String group, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            request.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long lag = 0;
        long endSum = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : end.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long pos = c == null ? 0 : c.offset();
            lag += Math.max(0, e.getValue().offset() - pos);
            endSum += e.getValue().offset();
        }
        return new long[] {lag, endSum};
    }

    /**
     * Waits until {@code topic} holds {@code expectedRecords} records (its end offsets sum to that; the
     * producer is not transactional) and the group has committed all of them, and has consumed
     * everything on its rerouting topic ({@code <group>-rerouted-repartition}) too, where samples that
     * arrived on another partition than their model's pass. {@code onPoll} runs between checks (e.g.
     * to restart a trainer that exited); errors of unreachable brokers are retried.
     */
    static void awaitDrained(String bootstrap, String group, String topic, long expectedRecords, Duration timeout,
                             Runnable onPoll) throws Exception {
        String rerouted = group + "-rerouted-repartition";
        try (Admin admin = admin(bootstrap)) {
            String done = "lag 0, end offsets " + expectedRecords + " of " + expectedRecords + "; rerouted lag 0";
            io.backpropstreams.it.Waits.until("group " + group + " to consume all of '" + topic + "' and '" + rerouted + "'", timeout, () -> {
                onPoll.run();
                try {
                    long[] le = lagAndEnd(admin, group, topic);
                    boolean hasRerouted = admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(rerouted);
                    long reroutedLag = hasRerouted ? lagAndEnd(admin, group, rerouted)[0] : 0;
                    return "lag " + le[0] + ", end offsets " + le[1] + " of " + expectedRecords + "; rerouted lag " + reroutedLag;
                } catch (Exception e) {
                    return e.toString();
                }
            }, done::equals);
        }
    }

    /** Waits for {@code condition} (checked every 50 ms), failing with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        io.backpropstreams.it.Waits.until(what, timeout, condition);
    }

    /** Samples partitions assigned to each member of the group, by the member's client id. */
    static Map<String, Set<Integer>> assignment(Admin admin, String group, String topic) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
        Map<String, Set<Integer>> result = new TreeMap<>();
        for (MemberDescription m : d.members()) {
            Set<Integer> parts = new TreeSet<>();
            for (TopicPartition tp : m.assignment().topicPartitions()) {
                if (tp.topic().equals(topic)) {
                    parts.add(tp.partition());
                }
            }
            result.put(m.clientId(), parts);
        }
        return result;
    }

    /**
     * Counts the records of a topic as a read_committed reader sees them, from the beginning, a poll
     * at a time; per key too.
     */
    static final class Progress implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, Long> perKey = new HashMap<>();
        private long count;

        Progress(String bootstrap, String topic) {
            Properties p = client(bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        /** Polls once (up to {@code wait}) and returns the records counted so far. */
        long poll(Duration wait) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
                count++;
                perKey.merge(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8), 1L, Long::sum);
            }
            return count;
        }

        long count() {
            return count;
        }

        long count(String key) {
            return perKey.getOrDefault(key, 0L);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * GET {@code path} from the HTTP server of a {@code run} child (its port read from the line
     * "HTTP on port N"); the body, whatever the status.
     */
    static String httpGet(ChildJvm run, String path) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("HTTP on port (\\d+)").matcher(run.stdout());
        if (!m.find()) {
            throw new AssertionError(run + " printed no HTTP port:\n" + run.describeOutput());
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + m.group(1) + path)).timeout(Duration.ofSeconds(10)).build();
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** How many records on {@code samples} sit on a partition other than murmur2 of their key (so were rerouted). */
    static long misroutedSamples(Properties client, TopicNames topics, int partitions) {
        long n = 0;
        for (ConsumerRecord<byte[], byte[]> r : Ledger.readAll(client, topics.samples(), true)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.partition() != Workload.partitionOf(key, partitions)) {
                n++;
            }
        }
        return n;
    }

    /** Waits until the weights topic shows a {@code create} event for every one of {@code models}. */
    static void awaitCreated(String bootstrap, TopicNames topics, Set<String> models, Duration timeout) {
        Properties p = client(bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> created = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topics.weights(), Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topics.weights(), info.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            while (!created.containsAll(models)) {
                if (System.nanoTime() > deadline) {
                    Set<String> missing = new TreeSet<>(models);
                    missing.removeAll(created);
                    throw new AssertionError("models " + missing + " were not created within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        WeightsUpdate u = Serdes.WEIGHTS_UPDATE.decode(r.value());
                        if ("create".equals(u.getEvent())) {
                            created.add(u.getModelId());
                        }
                    }
                }
            }
        }
    }
}
