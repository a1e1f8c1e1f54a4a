package io.backpropstreams.client;


import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/** Producers and consumers configured the way the command-line tools use them. */
public final class Clients {

    private Clients() {
    }

    /**
     * An idempotent producer ({@code acks=all}), batching for throughput: samples of one model stay
     * in order and are written exactly once even if the producer retries.
     *
     * <p>One request in flight per broker, not Kafka's five: with five, a retriable failure of a new
     * producer's first batch to a partition lets the next batches land first, and the broker, which
     * then holds no sequence 0 for the producer, refuses the retried first batch as out of order again
     * and again until it expires after {@code delivery.timeout.ms}, and its records are lost
     * (KAFKA-14359; the broker-side fix, KAFKA-15591, is not in Kafka 4.4). {@code bench} met exactly
     * that producing to a topic it had just created, on a loaded machine: the producer stalled at
     * about 70 records a second. With one request at a time the first batch is acknowledged before
     * the next is sent. Batches of up to 128 KiB keep the rate: {@code replay} sends the lecture
     * sample at about 120,000 a second to a local broker. Revisit on a broker with the fix.
     */
    public static KafkaProducer<String, byte[]> producer(Properties all) {
        return new KafkaProducer<>(producerConfig(all), new StringSerializer(), new ByteArraySerializer());
    }

    /** What {@link #producer} is configured with: the producer settings of {@code all}, then these defaults. */
    static Properties producerConfig(Properties all) {
        Properties p = ClientConfigs.forClient(all, ProducerConfig.configNames());
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return p;
    }

    /**
     * A consumer of raw bytes that reads only committed records ({@code read_committed}), as every
     * reader of an exactly-once application's output must. It never commits offsets: tools read by
     * assignment, not as a group member.
     */
    public static KafkaConsumer<byte[], byte[]> consumer(Properties all) {
        Properties p = ClientConfigs.forClient(all, ConsumerConfig.configNames());
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        // not a group member: the trainer's group settings (group.protocol=streams, which a plain
        // consumer refuses, or its group.instance.id) are not this reader's
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Assigns every partition of {@code topics} (tools read by assignment, not as group members)
     * and positions the consumer at the beginning or at the current end.
     *
     * @throws UserException if a topic does not exist or the cluster does not answer
     */
    public static List<TopicPartition> assignAll(KafkaConsumer<?, ?> consumer, boolean fromBeginning, List<String> topics) {
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> parts;
            try {
                parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new UserException("no Kafka cluster answered while looking up topic '" + topic + "': " + e.getMessage(), e);
            }
            if (parts == null || parts.isEmpty()) {
                throw new UserException("topic '" + topic + "' does not exist");
            }
            parts.forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(tps);
        if (fromBeginning) {
            consumer.seekToBeginning(tps);
        } else {
            consumer.seekToEnd(tps);
        }
        tps.forEach(consumer::position);
        return tps;
    }

    /** {@link #assignAll(KafkaConsumer, boolean, List)} for one topic. */
    public static List<TopicPartition> assignAll(KafkaConsumer<?, ?> consumer, String topic, boolean fromBeginning) {
        return assignAll(consumer, fromBeginning, List.of(topic));
    }

    /**
     * Reads {@code topic} from the beginning up to the end offsets it has now, handing every
     * committed record to {@code each}.
     *
     * @throws UserException if that takes longer than {@code timeout}
     */
    public static void readToEnd(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<byte[], byte[]>> each) {
        readToEnd(consumer, topic, timeout, each, (done, total) -> { });
    }

    /** How far a read has come: offsets passed and offsets to pass in all, over every partition. */
    @FunctionalInterface
    public interface ReadProgress {
        void update(long done, long total);
    }

    /** As {@link #readToEnd(KafkaConsumer, String, Duration, Consumer)}, telling {@code progress} after every poll. */
    public static void readToEnd(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<byte[], byte[]>> each, ReadProgress progress) {
        List<TopicPartition> tps = assignAll(consumer, topic, true);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
        Map<TopicPartition, Long> start = new java.util.HashMap<>();
        long total = 0;
        for (TopicPartition tp : tps) {
            start.put(tp, consumer.position(tp));
            total += Math.max(0, end.get(tp) - start.get(tp));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new UserException("timed out after " + timeout.toSeconds() + " s reading topic '" + topic + "'");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(each);
            long done = 0;
            for (TopicPartition tp : tps) {
                done += Math.min(end.get(tp), consumer.position(tp)) - start.get(tp);
            }
            progress.update(done, total);
        }
        progress.update(total, total);
    }
}
