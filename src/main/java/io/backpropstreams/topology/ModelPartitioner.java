package io.backpropstreams.topology;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/**
 * The partition that owns a model: {@code toPositive(murmur2(key bytes)) % partitions}, the Java
 * producer's default for a keyed record. The trainer task of that partition holds the model in its
 * store; a sample or spec found on any other partition is rerouted there (see {@link ModelRouter}).
 */
public final class ModelPartitioner implements StreamPartitioner<byte[], byte[]> {

    /** The partition of {@code key} among {@code partitions}. */
    public static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        return Optional.of(Set.of(partitionOf(key, numPartitions)));
    }
}
