package io.backpropstreams.cli;

import io.backpropstreams.service.StopSignals;

import io.backpropstreams.kafka.BrokerStartException;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.EmbeddedKafkaCluster;
import io.backpropstreams.kafka.KafkaNodeLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code broker}: a Kafka broker in this process, for users without Kafka or Docker: one node by
 * default, a replicated cluster with {@code --nodes 3}, or one node of such a cluster per process
 * with {@code --node-id}. Other commands ({@code run}, {@code produce}, {@code watch}) then point at it.
 */
@Command(name = "broker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a Kafka broker (KRaft) in this process until Ctrl-C: one node, or a replicated cluster.",
            "It listens on 127.0.0.1 only. Without --data-dir its data is deleted on stop.",
            "Prints one line with its bootstrap address once it accepts clients.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams broker",
            "  backprop-streams broker --port 19092",
            "  backprop-streams broker --data-dir ./kafka-data   # keeps topics",
            "  backprop-streams broker --port 0                  # any free port",
            "  backprop-streams broker --nodes 3                 # clients on 9092-9094, controllers on 9095-9097",
            "  backprop-streams broker --nodes 3 --node-id 2 --data-dir ./kafka-data   # node 2 only; start 1 and 3 likewise",
            "  backprop-streams broker --sasl-users users.txt --data-dir ./kafka-data   # SCRAM logins and ACLs; see docs/security.md",
            "  backprop-streams broker --config server.properties   # any other broker setting",
        })
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}). "
                    + "With --nodes N, node i takes clients on PORT+i-1 and its controller on PORT+N+i-1.")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keeps topics and records across restarts; created if missing (one node-<id> "
                    + "directory per node with --nodes). Default: a temporary directory, deleted on stop.")
    Path dataDir;

    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N",
            description = "Nodes in the cluster, 1 to " + KafkaNodeLayout.MAX_NODES + " (default: ${DEFAULT-VALUE}). "
                    + "With 3 or more, topics get 3 replicas and min.insync.replicas 2, so one node may fail.")
    int nodes;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "Runs only node ID (1..N) of the --nodes N cluster, so that each node has its own "
                    + "process; start the others with the same --port and --nodes. Needs a fixed --port.")
    Integer nodeId;

    @Option(names = "--sasl-users", paramLabel = "FILE",
            description = "Secure the broker: clients log in with SASL SCRAM-SHA-256 as one of the users in FILE (one name=password "
                    + "per line; keep it chmod 600), and ACLs are enforced (StandardAuthorizer). The file is read once and never printed. "
                    + "One node only.")
    Path saslUsers;

    @Option(names = "--super-user", paramLabel = "NAME", defaultValue = io.backpropstreams.kafka.SaslUsers.DEFAULT_SUPER_USER,
            description = "With --sasl-users: the user of FILE with every right, ACLs included (default ${DEFAULT-VALUE}).")
    String superUser;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Broker properties (Kafka's server.properties keys) applied over the defaults, e.g. log.retention.hours. "
                    + "Ports, data directory and node ids come from the options above.")
    Path config;

    /** Keys that the options above set and a --config file may not, since the ports and directories are reserved from them. */
    static final java.util.List<String> MANAGED_KEYS = java.util.List.of("process.roles", "node.id", "controller.quorum.voters",
            "controller.listener.names", "listeners", "advertised.listeners", "inter.broker.listener.name", "log.dirs", "log.dir");

    /** With --sasl-users, a --config file may not weaken what it sets: key prefixes refused then. */
    static final java.util.List<String> SECURITY_KEYS = java.util.List.of("listener.", "sasl.", "security.", "authorizer.",
            "super.users", "allow.everyone.if.no.acl.found", "principal.builder", "ssl.", "connections.max.reauth");

    @Override
    public Integer call() {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
        }
        if (nodes < 1 || nodes > KafkaNodeLayout.MAX_NODES) {
            throw new ParameterException(spec.commandLine(), "--nodes must be in 1.." + KafkaNodeLayout.MAX_NODES + ", got " + nodes);
        }
        if (nodeId != null && (nodeId < 1 || nodeId > nodes)) {
            throw new ParameterException(spec.commandLine(), "--node-id must be in 1.." + nodes + " (--nodes " + nodes + "), got " + nodeId);
        }
        if (nodeId != null && dataDir == null) {
            throw new ParameterException(spec.commandLine(), "--node-id needs --data-dir: a node that restarts must find its "
                    + "log and vote again, or it rejoins the quorum as a stranger");
        }
        if (nodeId != null && port == 0) {
            throw new ParameterException(spec.commandLine(), "--node-id needs a fixed --port, shared by every node, not 0");
        }
        if (nodes > 1 && port + 2 * nodes - 1 > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port " + port + " leaves no room for the " + 2 * nodes
                    + " ports of " + nodes + " nodes");
        }
        if (saslUsers != null && (nodes > 1 || nodeId != null)) {
            throw new ParameterException(spec.commandLine(), "--sasl-users secures one node; it cannot be combined with --nodes "
                    + nodes + (nodeId != null ? " --node-id " + nodeId : ""));
        }
        java.util.Map<String, String> overrides = brokerOverrides();
        if (saslUsers != null) {
            for (String key : overrides.keySet()) {
                if (SECURITY_KEYS.stream().anyMatch(key::startsWith)) {
                    throw new io.backpropstreams.client.UserException("--config " + config + " sets '" + key + "', which --sasl-users "
                            + "sets itself; a secured broker takes its listeners, SASL and authorizer settings from --sasl-users only");
                }
            }
        }
        io.backpropstreams.kafka.SaslUsers users = saslUsers == null ? null : io.backpropstreams.kafka.SaslUsers.read(saslUsers, superUser);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalKafka kafka = localKafka(overrides, users);
        if (nodeId != null) {
            out.println("Starting node " + nodeId + " of " + nodes + "; it is ready once " + (nodes / 2 + 1)
                    + " of the " + nodes + " nodes run.");
            out.flush();
        }
        // Registered before start, so that Ctrl-C during a slow start still shuts down cleanly.
        Thread hook = new Thread(kafka::close, "kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Runnable restoreSignals = () -> { };
        try {
            try {
                kafka.start();
            } catch (BrokerStartException e) {
                err.println("broker: " + e.getMessage());
                err.flush();
                return 1;
            }
            out.println(kafka.readyLine());
            out.flush();
            // SIGTERM/SIGINT close the broker and let call() return 0, instead of the JVM's exit with 143/130.
            restoreSignals = StopSignals.install(() -> new Thread(kafka::close, "kafka-broker-stop").start());
            kafka.awaitStopped();
        } catch (InterruptedException e) {
            // Interrupting the command's thread is the in-process way to stop it (tests, embedding).
            Thread.currentThread().interrupt();
        } finally {
            restoreSignals.run();
            removeHook(hook);
            kafka.close();
        }
        if (kafka.fault().isPresent()) {
            err.println("broker: stopped after a fatal error: " + kafka.fault().get());
            err.flush();
            return 1;
        }
        out.println("Kafka broker stopped.");
        out.flush();
        return 0;
    }

    /** The --config file's properties, refusing the keys the options manage. */
    private java.util.Map<String, String> brokerOverrides() {
        java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
        if (config == null) {
            return overrides;
        }
        java.util.Properties p = io.backpropstreams.client.ClientConfigs.load(config);
        for (String key : p.stringPropertyNames()) {
            if (MANAGED_KEYS.contains(key)) {
                throw new io.backpropstreams.client.UserException("--config " + config + " sets '" + key + "', which the broker command "
                        + "sets itself: use --port, --data-dir, --nodes and --node-id instead");
            }
            overrides.put(key, p.getProperty(key));
        }
        return overrides;
    }

    private LocalKafka localKafka(java.util.Map<String, String> overrides, io.backpropstreams.kafka.SaslUsers users) {
        if (nodeId != null) {
            KafkaNodeLayout layout = new KafkaNodeLayout(port, nodes);
            // A node waits for a majority of its quorum, which the user may start by hand: give them time.
            EmbeddedKafkaBroker node = layout.node(nodeId, dataDir).brokerProperties(overrides).startTimeout(Duration.ofMinutes(5)).build();
            return new LocalKafka(node::start, node::awaitStopped, node::fault, node::close,
                    () -> readyLine(node).replace(" (data in ", " (node " + nodeId + " of " + nodes + ", cluster "
                            + layout.bootstrapServers() + "; data in "));
        }
        if (nodes > 1) {
            EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.create(nodes, port, dataDir, overrides);
            return new LocalKafka(cluster::start, cluster::awaitStopped, cluster::fault, cluster::close,
                    () -> readyLine(cluster));
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir);
        if (users != null) {
            users.secure(builder);
        }
        EmbeddedKafkaBroker broker = builder.brokerProperties(overrides).build();
        Runnable start = users == null ? broker::start : () -> {
            broker.start();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(broker.clientProperties())) {
                users.apply(admin);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerStartException("interrupted while creating the users of --sasl-users", e);
            }
        };
        return new LocalKafka(start, broker::awaitStopped, broker::fault, broker::close, () -> readyLine(broker)
                + (users == null ? "" : "\nSASL SCRAM-SHA-256 and ACLs on; users " + String.join(", ", users.passwords().keySet())
                + " (super user " + users.superUser() + "); clients need security.protocol=SASL_PLAINTEXT"));
    }

    /** What the command needs of one node or a cluster. */
    private record LocalKafka(Runnable starter, Waiter stopWaiter, Supplier<Optional<String>> faultSource, Runnable closer,
                              Supplier<String> ready) {
        void start() {
            starter.run();
        }

        void awaitStopped() throws InterruptedException {
            stopWaiter.await();
        }

        Optional<String> fault() {
            return faultSource.get();
        }

        void close() {
            closer.run();
        }

        String readyLine() {
            return ready.get();
        }
    }

    @FunctionalInterface
    private interface Waiter {
        void await() throws InterruptedException;
    }

    static String readyLine(EmbeddedKafkaBroker broker) {
        String data = broker.isTemporary()
                ? broker.dataDir() + ", deleted on stop"
                : broker.dataDir().toString();
        return String.format(Locale.ROOT, "Kafka broker ready at %s in %.1f s (data in %s; Ctrl-C to stop)",
                broker.bootstrapServers(), broker.startupTime().toMillis() / 1000.0, data);
    }

    static String readyLine(EmbeddedKafkaCluster cluster) {
        String data = cluster.dataDir().map(d -> d + "/node-*").orElse("temporary directories, deleted on stop");
        return String.format(Locale.ROOT, "Kafka cluster of %d nodes ready at %s in %.1f s (data in %s; Ctrl-C to stop)",
                cluster.layout().nodes(), cluster.bootstrapServers(), cluster.startupTime().toMillis() / 1000.0, data);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run: it closes the broker itself.
        }
    }
}
