package io.backpropstreams.cli;

import io.backpropstreams.client.ClientConfigs;

import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The connection options every Kafka-facing command shares: where the cluster is, and a
 * properties file whose keys pass straight through to Kafka Streams and the clients
 * ({@code state.dir}, {@code num.stream.threads}, {@code security.protocol}, {@code sasl.*}, …).
 */
public final class KafkaOptions {

    /** Environment variable that sets the default of {@code --bootstrap-servers}. */
    public static final String ENV = "BPS_BOOTSTRAP_SERVERS";

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,…]",
            defaultValue = "${env:" + ENV + ":-localhost:9092}",
            description = "Kafka bootstrap servers (default: $" + ENV + " or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file passed to Kafka Streams and the clients (state.dir, num.stream.threads, security.protocol, sasl.*, bps.topic.*, …).")
    Path config;

    /** The file's properties (if any) with {@code bootstrap.servers} set from the option. */
    public Properties properties() {
        Properties p = ClientConfigs.load(config);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /**
     * {@link #properties()} once a broker has answered at {@code bootstrap.servers} within
     * {@code timeout}; else a {@link io.backpropstreams.kafka.KafkaUnavailableException} that names
     * the address tried (and, when something listens there, the likelier {@code security.protocol} cause).
     */
    public Properties reachable(ConnectTimeout timeout) {
        return reachable(timeout.duration());
    }

    /** As {@link #reachable(ConnectTimeout)}, for a command whose own {@code --timeout} bounds more than the connection. */
    public Properties reachable(java.time.Duration timeout) {
        Properties p = properties();
        io.backpropstreams.kafka.Topics.brokerCount(p, timeout);
        return p;
    }

    /** The bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
