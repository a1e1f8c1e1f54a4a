package io.backpropstreams.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;

/**
 * Sends each sample, spec and predict request to the task that holds its model, whichever
 * partition its producer chose.
 *
 * <p>A model lives in the task of partition {@link ModelPartitioner#partitionOf murmur2(key)}, the
 * Java producer's choice. librdkafka (kcat, confluent-kafka-python, Go, .NET) picks CRC32 by
 * default, and any producer may name a partition itself. A record already on its model's partition
 * goes straight on to the trainer: the direct path, one hash of the key and nothing more. Any other
 * record is forwarded, with its origin in {@code bps.origin.*} headers, to the sink of the
 * {@code rerouted} repartition topic, partitioned by the same hash; the trainer task of the right
 * partition reads it from there. Kafka Streams manages that topic (created with the application,
 * purged after each commit), and the write to it, the read from it and the training step are all
 * in exactly-once transactions, so a rerouted record is trained once.
 *
 * <p>Order: every record of one source partition reaches the rerouted partition in the order it
 * had, samples and specs together (one topic carries both). A producer that keeps a model's records
 * on one partition, as every keyed default partitioner does, so keeps its per-model order. Records
 * of one model spread over several partitions (a random partitioner) have no order in Kafka to keep.
 *
 * <p>Cost: a rerouted record is written and read once more (about the sample's size, twice), and
 * the origin headers. Records without a key go straight on: the trainer dead-letters them.
 */
final class ModelRouter implements Processor<byte[], byte[], byte[], byte[]> {

    /** Header of a rerouted record: the topic it was first read from. */
    static final String ORIGIN_TOPIC = "bps.origin.topic";
    /** Header of a rerouted record: its partition there. */
    static final String ORIGIN_PARTITION = "bps.origin.partition";
    /** Header of a rerouted record: its offset there. */
    static final String ORIGIN_OFFSET = "bps.origin.offset";

    private final int partitions;
    private final String trainer;
    private final String reroute;
    private ProcessorContext<byte[], byte[]> context;

    /**
     * @param partitions partitions of the input topics (samples, models and predict-requests are co-partitioned)
     * @param trainer    name of the trainer node (the direct path)
     * @param reroute    name of the first node towards the rerouted topic
     */
    ModelRouter(int partitions, String trainer, String reroute) {
        this.partitions = partitions;
        this.trainer = trainer;
        this.reroute = reroute;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        if (record.key() == null || ModelPartitioner.partitionOf(record.key(), partitions) == meta.partition()) {
            context.forward(record, trainer);
            return;
        }
        Headers h = record.headers();
        h.remove(ORIGIN_TOPIC);
        h.remove(ORIGIN_PARTITION);
        h.remove(ORIGIN_OFFSET);
        h.add(ORIGIN_TOPIC, meta.topic().getBytes(StandardCharsets.UTF_8));
        h.add(ORIGIN_PARTITION, Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
        h.add(ORIGIN_OFFSET, Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
        context.forward(record, reroute);
    }
}
