package io.backpropstreams.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A topic as this application wants it to exist. A value type, so that the topology's topic list
 * can be written once and handed to {@link Topics#createIfMissing} by the CLI, the demo and tests.
 *
 * @param name              the topic name
 * @param partitions        how many partitions to create it with (at least 1)
 * @param replicationFactor how many replicas (1 on the embedded single-node broker)
 * @param config            topic-level configs, e.g. {@code cleanup.policy=compact}
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> config) {

    /** Validates up front, because Kafka's errors for bad values name neither topic nor value. */
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic '" + name + "': partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("topic '" + name + "': replication factor must be at least 1, got " + replicationFactor);
        }
        config = Map.copyOf(Objects.requireNonNull(config, "config"));
    }

    /** The common case on one broker: replication 1 and the broker's default topic configs. */
    public static TopicSpec of(String name, int partitions) {
        return new TopicSpec(name, partitions, (short) 1, Map.of());
    }

    /** For keyed "latest value wins" topics such as {@code models}, where old values are garbage. */
    public TopicSpec compacted() {
        return withConfig("cleanup.policy", "compact");
    }

    /** Adds or replaces one topic config, keeping the spec immutable. */
    public TopicSpec withConfig(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(config);
        copy.put(key, value);
        return new TopicSpec(name, partitions, replicationFactor, copy);
    }

    /** For a real cluster, where one replica would lose data with one disk. */
    public TopicSpec withReplicationFactor(int replicas) {
        if (replicas < 1 || replicas > Short.MAX_VALUE) {
            throw new IllegalArgumentException("topic '" + name + "': replication factor must be in 1.." + Short.MAX_VALUE + ", got " + replicas);
        }
        return new TopicSpec(name, partitions, (short) replicas, config);
    }
}
