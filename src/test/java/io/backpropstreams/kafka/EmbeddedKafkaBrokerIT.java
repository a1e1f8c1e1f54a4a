package io.backpropstreams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One real broker for the class; tests that need their own (restart, SASL) start a second one. */
class EmbeddedKafkaBrokerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.builder().start();
        System.out.printf("embedded broker at %s started in %d ms%n", kafka.bootstrapServers(), kafka.startupTime().toMillis());
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            long t0 = System.nanoTime();
            kafka.close();
            System.out.printf("embedded broker closed in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    @Test
    void producesAndConsumesARecord() throws Exception {
        Topics.createIfMissing(kafka.clientProperties(), List.of(TopicSpec.of("plain", 1)));
        try (KafkaProducer<String, String> producer = producer(kafka.clientProperties())) {
            producer.send(new ProducerRecord<>("plain", "model-1", "hello")).get();
        }
        List<ConsumerRecord<String, String>> records = consume(kafka.clientProperties(), "plain", 1, "read_uncommitted");
        assertEquals("model-1", records.get(0).key());
        assertEquals("hello", records.get(0).value());
    }

    @Test
    void createsACompactedTopicOnceAndKeepsItsConfig() throws Exception {
        TopicSpec models = TopicSpec.of("models", 3).compacted();
        assertEquals(Set.of("models"), Topics.createIfMissing(kafka.clientProperties(), List.of(models)));
        assertEquals(Set.of(), Topics.createIfMissing(kafka.clientProperties(), List.of(models)), "second call is a no-op");

        try (Admin admin = Admin.create(kafka.clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "models");
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertEquals("compact", config.get("cleanup.policy").value());
            int partitions = admin.describeTopics(List.of("models")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("models").partitions().size();
            assertEquals(3, partitions);
        }
    }

    @Test
    void runsTransactionsOnOneNode() throws Exception {
        Topics.createIfMissing(kafka.clientProperties(), List.of(TopicSpec.of("tx-out", 1)));
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx");
        try (KafkaProducer<String, String> producer = producer(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-out", "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-out", "k", "committed"));
            producer.commitTransaction();
        }
        List<ConsumerRecord<String, String>> records = consume(kafka.clientProperties(), "tx-out", 1, "read_committed");
        assertEquals(List.of("committed"), records.stream().map(ConsumerRecord::value).toList());
    }

    @Test
    void keepsTopicsAndRecordsAcrossRestartOnAPersistentDir(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            assertFalse(first.isTemporary());
            clusterId = first.clusterId();
            Topics.createIfMissing(first.clientProperties(), List.of(TopicSpec.of("durable", 1)));
            try (KafkaProducer<String, String> producer = producer(first.clientProperties())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("durable", "k" + i, "v" + i)).get();
                }
            }
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "a persistent dir survives close()");

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            System.out.printf("restarted broker on an existing dir in %d ms%n", second.startupTime().toMillis());
            assertEquals(clusterId, second.clusterId());
            try (Admin admin = Admin.create(second.clientProperties())) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("durable"));
            }
            List<ConsumerRecord<String, String>> records = consume(second.clientProperties(), "durable", 3, "read_committed");
            assertEquals(List.of("v0", "v1", "v2"), records.stream().map(ConsumerRecord::value).toList());
        }
    }

    @Test
    void closeIsSafeBeforeStartAndTwice() {
        EmbeddedKafkaBroker never = EmbeddedKafkaBroker.builder().build();
        never.close();
        never.close();
        assertThrows(IllegalStateException.class, never::start);
    }

    @Test
    void topicsFailFastNamingAnUnreachableAddress() throws IOException {
        int unused;
        try (ServerSocket socket = new ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        String address = "127.0.0.1:" + unused;
        Properties props = new Properties();
        props.put("bootstrap.servers", address);

        long t0 = System.nanoTime();
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> Topics.createIfMissing(props, List.of(TopicSpec.of("never", 1)), Duration.ofSeconds(2)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertEquals(address, e.bootstrapServers());
        assertTrue(e.getMessage().contains(address), e.getMessage());
        assertTrue(ms < 10_000, "failed after " + ms + " ms");
    }

    @Test
    void refusesAPortInUseWithAClearMessage() {
        BrokerStartException e = assertThrows(BrokerStartException.class,
                () -> EmbeddedKafkaBroker.builder().port(kafka.port()).start());
        assertTrue(e.getMessage().contains("Port " + kafka.port()) && e.getMessage().contains("already in use"), e.getMessage());
    }

    @Test
    void refusesANonEmptyDirThatIsNotKafkas(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        BrokerStartException e = assertThrows(BrokerStartException.class,
                () -> EmbeddedKafkaBroker.builder().dataDir(dir).start());
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("notes.txt")));
    }

    @Test
    void kafkaCannotEndTheJvm() {
        // What Kafka's fatal-fault handlers call. It must throw rather than end this JVM, and be reported.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Exit.halt(1, "simulated fault"));
        assertTrue(e.getMessage().contains("simulated fault"), e.getMessage());
        assertTrue(kafka.fault().orElseThrow().contains("status 1"));
    }

    @Test
    void canRunWithSaslScram() throws Exception {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"%s\";";
        Path tempDir;
        try (EmbeddedKafkaBroker secured = EmbeddedKafkaBroker.builder()
                .securityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .scramCredential("SCRAM-SHA-256=[name=admin,password=admin-secret]")
                .brokerProperty("sasl.enabled.mechanisms", "SCRAM-SHA-256")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256")
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", String.format(jaas, "admin-secret"))
                .clientProperty("sasl.mechanism", "SCRAM-SHA-256")
                .clientProperty("sasl.jaas.config", String.format(jaas, "admin-secret"))
                .start()) {
            tempDir = secured.dataDir();
            assertTrue(secured.isTemporary());
            Topics.createIfMissing(secured.clientProperties(), List.of(TopicSpec.of("secured", 1)));

            Properties wrong = secured.clientProperties();
            wrong.put("sasl.jaas.config", String.format(jaas, "wrong"));
            try (Admin admin = Admin.create(wrong)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause());
            }
        }
        assertFalse(Files.exists(tempDir), "a temporary data dir is deleted on close()");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static KafkaProducer<String, String> producer(Properties base) {
        Properties props = new Properties();
        props.putAll(base);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** Reads partition 0 from the start until {@code n} records arrived, or fails at the deadline. */
    private static List<ConsumerRecord<String, String>> consume(Properties base, String topic, int n, String isolation) {
        Properties props = new Properties();
        props.putAll(base);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertEquals(n, records.size(), "records read from " + topic + " within " + WAIT + ": " + records);
        return records;
    }

}
