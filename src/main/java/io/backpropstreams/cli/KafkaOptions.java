package io.backpropstreams.cli;

import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

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
        Properties p = load(config);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** The bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Loads a properties file, with an error that names the file if it cannot be read. */
    static Properties load(Path file) {
        Properties p = new Properties();
        if (file == null) {
            return p;
        }
        if (!Files.exists(file) || Files.isDirectory(file)) {
            throw new UserException("config file '" + file + "' does not exist or is a directory");
        }
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UserException("cannot read config file '" + file + "': " + e.getMessage());
        }
        return p;
    }

    /**
     * The subset of {@code all} that a plain client understands: its own config names plus every
     * {@code sasl.*} and {@code ssl.*} key, so that Streams-only keys like {@code state.dir} do not
     * produce "unknown config" warnings.
     */
    public static Properties forClient(Properties all, Set<String> clientConfigNames) {
        Properties p = new Properties();
        for (String k : all.stringPropertyNames()) {
            if (clientConfigNames.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                p.put(k, all.getProperty(k));
            }
        }
        return p;
    }
}
