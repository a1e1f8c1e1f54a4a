package io.backpropstreams.service;

import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;

/**
 * What {@code demo} and {@code bench} run in: the user's cluster, or an embedded broker when none
 * is given, plus a throw-away Kafka Streams state directory. Closing it stops the embedded broker
 * and deletes the directory (under {@code ~/.backprop-streams/scratch}).
 */
public final class ScratchCluster implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final Path stateDir;

    private ScratchCluster(EmbeddedKafkaBroker broker, Path stateDir) {
        this.broker = broker;
        this.stateDir = stateDir;
    }

    /**
     * Starts an embedded broker if {@code bootstrapServers} is null, and points {@code props} at the
     * cluster ({@code bootstrap.servers}) and, unless it names one, at a fresh {@code state.dir}.
     */
    public static ScratchCluster open(Properties props, String bootstrapServers, String name) throws IOException {
        // not in the OS temp directory, which Kafka Streams warns against: beside the trainer's default state
        Path scratch = TrainerTopology.DEFAULT_STATE_DIR.resolveSibling("scratch");
        Files.createDirectories(scratch);
        Path stateDir = Files.createTempDirectory(scratch, name + "-state");
        EmbeddedKafkaBroker broker = bootstrapServers == null ? EmbeddedKafkaBroker.builder().start() : null;
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker == null ? bootstrapServers : broker.bootstrapServers());
        props.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new ScratchCluster(broker, stateDir);
    }

    /** The embedded broker, or null when running against the user's cluster. */
    public EmbeddedKafkaBroker embeddedBroker() {
        return broker;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temporary directory
        }
    }
}
