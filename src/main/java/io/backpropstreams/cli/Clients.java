package io.backpropstreams.cli;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;

/** Producers and consumers configured the way the command-line tools use them. */
public final class Clients {

    private Clients() {
    }

    /**
     * An idempotent producer ({@code acks=all}), batching for throughput: samples of one model stay
     * in order and are written exactly once even if the producer retries.
     */
    public static KafkaProducer<String, byte[]> producer(Properties all) {
        Properties p = KafkaOptions.forClient(all, ProducerConfig.configNames());
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A consumer of raw bytes that reads only committed records ({@code read_committed}), as every
     * reader of an exactly-once application's output must. It never commits offsets: tools read by
     * assignment, not as a group member.
     */
    public static KafkaConsumer<byte[], byte[]> consumer(Properties all) {
        Properties p = KafkaOptions.forClient(all, ConsumerConfig.configNames());
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
