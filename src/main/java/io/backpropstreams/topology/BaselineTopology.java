package io.backpropstreams.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The speed limit the trainer is measured against: a topology of exactly the trainer's shape that
 * does no math. Per sample it gets and puts a model-sized value in the same kind of store
 * (persistent, cached, logged) and writes the records the trainer writes, of the same sizes, to the
 * same kind of sinks: a metric for every sample and a weights update every {@code publishEvery}.
 * Whatever this costs is what Kafka Streams costs; the trainer's extra time is decoding, the
 * training step and building its records.
 *
 * <p>The stored value begins with the model's step (a long), which decides when a weights update is
 * due, as a model's own step does in the trainer. The value is updated in place and put back
 * without a copy, so a sample costs a get and a put through the metered and caching layers, and
 * the commit writes the last bytes to RocksDB and the changelog once, as the trainer writes a model
 * once per commit (see {@link CommitTimeStore}; the trainer also encodes the model then, which the
 * baseline does not). Putting back the array the cache already holds is safe here because the
 * serde passes arrays through unchanged, everything happens on the stream thread, nothing else
 * reads this store, and one model's value fits the cache.
 */
public final class BaselineTopology {

    /** The baseline's store. */
    public static final String STORE = "baseline-store";

    private BaselineTopology() {
    }

    /**
     * @param valueBytes   size of the stored value (the encoded model), at least 8: it starts with the step
     * @param metricBytes  size of the output written for every sample (a metric)
     * @param weightsBytes size of the output written every {@code publishEvery} samples (a weights update)
     * @param publishEvery samples per weights update, as in a model's spec
     */
    public static Topology build(TopicNames topics, int valueBytes, int metricBytes, int weightsBytes, int publishEvery) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException("publishEvery must be at least 1, not " + publishEvery);
        }
        if (valueBytes < Long.BYTES) {
            throw new IllegalArgumentException("the stored value holds the step: at least " + Long.BYTES + " bytes, not " + valueBytes);
        }
        Topology t = new Topology();
        t.addSource("samples-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.samples());
        t.addProcessor("baseline", () -> new NoMathProcessor(valueBytes, metricBytes, weightsBytes, publishEvery), "samples-source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled().withLoggingEnabled(java.util.Map.of()), "baseline");
        t.addSink("weights-sink", topics.weights(), new StringSerializer(), new ByteArraySerializer(), "baseline");
        t.addSink("metrics-sink", topics.metrics(), new StringSerializer(), new ByteArraySerializer(), "baseline");
        return t;
    }

    private static final class NoMathProcessor implements Processor<byte[], byte[], String, byte[]> {
        private final int valueBytes;
        private final int metricBytes;
        private final int weightsBytes;
        private final int publishEvery;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> store;

        NoMathProcessor(int valueBytes, int metricBytes, int weightsBytes, int publishEvery) {
            this.valueBytes = valueBytes;
            this.metricBytes = metricBytes;
            this.weightsBytes = weightsBytes;
            this.publishEvery = publishEvery;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            String id = new String(record.key(), StandardCharsets.UTF_8);
            byte[] value = store.get(id);
            if (value == null) {
                value = new byte[valueBytes];
            }
            ByteBuffer state = ByteBuffer.wrap(value);
            long step = state.getLong(0) + 1;
            state.putLong(0, step);
            store.put(id, value);
            context.forward(new Record<>(id, new byte[metricBytes], record.timestamp()), "metrics-sink");
            if (step % publishEvery == 0) {
                context.forward(new Record<>(id, new byte[weightsBytes], record.timestamp()), "weights-sink");
            }
        }
    }
}
