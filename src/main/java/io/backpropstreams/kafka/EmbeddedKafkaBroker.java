package io.backpropstreams.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A Kafka node (KRaft, broker and controller in one process role) running inside this JVM, built
 * from Kafka's own jars: by default a whole single-node cluster; with {@link Builder#clusterNode}
 * one node of a replicated cluster (see {@link EmbeddedKafkaCluster} and {@link KafkaNodeLayout}). It lets {@code demo}, {@code broker} and the integration
 * tests run against a real broker, with real transactions, on machines without Docker.
 *
 * <p>Internal topics get replication factor min(3, nodes), so that consumer groups and
 * exactly-once transactions work on one node, and the first rebalance is not delayed.
 * Topics are not auto-created unless asked, so that a mistyped topic name is an error; create
 * topics with {@link Topics}.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().start()) {
 *     Properties props = kafka.clientProperties();   // bootstrap.servers=127.0.0.1:<port>
 *     ...
 * }
 * }</pre>
 *
 * <p>Not thread-safe for concurrent {@link #start()} calls; {@link #close()} may be called from any
 * thread (e.g. a shutdown hook) and more than once. One instance runs once: to restart on the same
 * data, build a new instance with the same {@link Builder#dataDir(Path) data directory}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The address every listener binds to: loopback only, so a dev broker is never exposed. */
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final long READY_POLL_MS = 50;

    /** Brokers that a Kafka exit/halt request should be reported to. */
    private static final Set<EmbeddedKafkaBroker> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean EXIT_GUARD_INSTALLED = new AtomicBoolean();

    private enum State { NEW, STARTED, CLOSED }

    private final Builder settings;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String fault;

    private State state = State.NEW;
    private KafkaRaftServer server;
    private Path dataDir;
    private boolean temporary;
    private int port;
    private int controllerPort;
    private String clusterId;
    private Duration startupTime;

    private EmbeddedKafkaBroker(Builder settings) {
        this.settings = settings.copy();
    }

    /** Starts from defaults that suit one developer machine: any free port, a temporary directory. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the storage if it is new, starts the broker and returns only once it answers
     * requests, so that callers can create topics and produce right away.
     *
     * @return this broker, for {@code try (var kafka = builder().build().start())}
     * @throws BrokerStartException if the port is taken, the data directory is unusable, or the
     *                              broker does not answer within the start timeout; nothing is left running
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (state != State.NEW) {
            throw new IllegalStateException("an EmbeddedKafkaBroker starts once; it is " + state
                    + " (build a new one on the same data directory to restart)");
        }
        state = State.STARTED;
        long t0 = System.nanoTime();
        long deadline = t0 + settings.startTimeout.toNanos();
        installExitGuard();
        RUNNING.add(this);
        try {
            prepareDataDir();
            reservePorts();
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(), false);
            clusterId = formatIfNew();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                throw startFailure(e);
            }
            awaitReady(deadline);
            startupTime = Duration.ofNanos(System.nanoTime() - t0);
            LOG.debug("Kafka broker {} ready at {} in {} ms (cluster {}, data in {})",
                    settings.nodeId, bootstrapServers(), startupTime.toMillis(), clusterId, dataDir);
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** "127.0.0.1:port": what clients need, with the real port when the builder asked for any free port. */
    public String bootstrapServers() {
        requireStarted();
        return HOST + ":" + port;
    }

    /** This node's id in its cluster ({@code node.id}); 1 for a single-node cluster. */
    public int nodeId() {
        return settings.nodeId;
    }

    /** The client listener's port; useful when the builder asked for port 0. */
    public int port() {
        requireStarted();
        return port;
    }

    /** Where topics live; tell the user, since a persistent directory keeps data across runs. */
    public Path dataDir() {
        requireStarted();
        return dataDir;
    }

    /** True when no data directory was given, so {@link #close()} deletes everything. */
    public boolean isTemporary() {
        requireStarted();
        return temporary;
    }

    /** Stays the same across restarts on one data directory, since it is read from its {@code meta.properties}. */
    public String clusterId() {
        requireStarted();
        return clusterId;
    }

    /** How long {@link #start()} took, from formatting to the first answered request. */
    public Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    /**
     * A fresh copy of what a client needs to reach this broker: {@code bootstrap.servers}, plus
     * {@code security.protocol} and the builder's client properties when the listener is secured.
     * Callers add their own settings (serializers, group id) to the copy.
     */
    public Properties clientProperties() {
        requireStarted();
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (settings.securityProtocol != SecurityProtocol.PLAINTEXT) {
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, settings.securityProtocol.name);
        }
        props.putAll(settings.clientProperties);
        return props;
    }

    /**
     * Why the broker stopped on its own, if it did. Kafka reacts to fatal faults by exiting the
     * JVM; in-process that would kill the user's application, so the request is refused, logged and
     * reported here instead. A fault seen while several embedded brokers run is reported to all.
     */
    public Optional<String> fault() {
        return Optional.ofNullable(fault);
    }

    /**
     * Blocks until {@link #close()} is called (e.g. by a shutdown hook) or the broker hits a fatal
     * fault, so that a command can run the broker "until Ctrl-C" without polling.
     */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** As {@link #awaitStopped()}, for at most {@code timeout}; true if the broker stopped. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Shuts the broker down and waits for it, so that the data directory is consistent and can be
     * reopened; then deletes the directory if it was temporary. Safe to call more than once, from
     * any thread; problems are logged rather than thrown, since callers are usually cleaning up.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker on port {} did not shut down cleanly", port, e);
        } finally {
            server = null;
            RUNNING.remove(this);
            if (temporary && dataDir != null) {
                deleteQuietly(dataDir);
            }
            stopped.countDown();
        }
    }

    // ---- start-up steps ------------------------------------------------------------------------

    private void prepareDataDir() {
        if (settings.dataDir == null) {
            try {
                dataDir = Files.createTempDirectory("bps-kafka-");
            } catch (IOException e) {
                throw new BrokerStartException("Cannot create a temporary Kafka data directory: " + e.getMessage(), e);
            }
            temporary = true;
            return;
        }
        dataDir = settings.dataDir.toAbsolutePath().normalize();
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new BrokerStartException("Kafka data directory " + dataDir + " is a file, not a directory");
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BrokerStartException("Cannot create Kafka data directory " + dataDir + ": " + describe(e), e);
        }
        try {
            // Files.isWritable says yes to root even on a read-only mount: really write.
            Files.delete(Files.createTempFile(dataDir, ".write-probe-", ".tmp"));
        } catch (IOException e) {
            throw new BrokerStartException("Kafka data directory " + dataDir + " is not writable: " + describe(e), e);
        }
        if (!Files.exists(dataDir.resolve(META_PROPERTIES)) && !isEmpty(dataDir)) {
            throw new BrokerStartException("Kafka data directory " + dataDir + " is not empty but holds no Kafka data (no "
                    + META_PROPERTIES + "); give a new or empty directory, so that no unrelated files get mixed in");
        }
    }

    private void reservePorts() {
        // Hold both sockets at once so that the two free ports differ; Kafka binds them right after.
        try (ServerSocket controller = bind(settings.controllerPort); ServerSocket client = bind(settings.port)) {
            controllerPort = controller.getLocalPort();
            port = client.getLocalPort();
        } catch (BindException e) {
            throw portInUse(e);
        } catch (IOException e) {
            throw new BrokerStartException("Cannot open a socket on " + HOST + ": " + e.getMessage(), e);
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private Properties brokerProperties() {
        String listener = settings.securityProtocol.name;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(settings.nodeId));
        // Static voters: a quorum that needs no --standalone format and, for one node, tolerates a new controller port.
        p.put("controller.quorum.voters", settings.quorumVoters != null
                ? settings.quorumVoters : settings.nodeId + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", listener + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", listener + "://" + HOST + ":" + port);
        p.put("inter.broker.listener.name", listener);
        p.put("listener.security.protocol.map", listener + ":" + settings.securityProtocol.name + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("num.partitions", Integer.toString(settings.defaultPartitions));
        p.put("auto.create.topics.enable", Boolean.toString(settings.autoCreateTopics));
        // Internal topics cannot have more replicas than brokers, or groups and EOS never start; with
        // three or more nodes they get 3 replicas, of which 2 must acknowledge, so one node may fail.
        String replicas = Integer.toString(Math.min(3, settings.clusterSize));
        String minIsr = Integer.toString(Math.min(2, settings.clusterSize));
        p.put("offsets.topic.replication.factor", replicas);
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        // Fewer internal partitions than the default 50: the first group join and transaction are faster on 2 cores.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        // The log cleaner allocates its dedupe buffer up front (128 MiB by default); 8 MiB holds ~300k keys.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 << 20));
        p.putAll(settings.brokerProperties);
        return p;
    }

    /** Formats new storage with a fresh cluster id; reads the id back from storage formatted before. */
    private String formatIfNew() {
        Path meta = dataDir.resolve(META_PROPERTIES);
        if (Files.exists(meta)) {
            return readClusterId(meta);
        }
        String id = settings.clusterId != null ? settings.clusterId : Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8)) // not the user's stdout
                .setNodeId(settings.nodeId)
                .setClusterId(id)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(dataDir.toString())
                .setDirectories(List.of(dataDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        if (!settings.scramCredentials.isEmpty()) {
            formatter.setScramArguments(settings.scramCredentials);
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new BrokerStartException("Cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.debug("Formatted Kafka storage: {}", output.toString(StandardCharsets.UTF_8).strip());
        return id;
    }

    private static String readClusterId(Path meta) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new BrokerStartException("Cannot read " + meta + ": " + e.getMessage(), e);
        }
        String id = props.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new BrokerStartException(meta + " has no cluster.id; the directory is damaged or not Kafka's");
        }
        return id;
    }

    /** {@code startup()} returns before the listener answers reliably; ask the broker itself. */
    private void awaitReady(long deadline) {
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        Throwable last = null;
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (fault != null) {
                    throw new BrokerStartException("Kafka broker failed while starting: " + fault);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(3, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e.getCause();
                    if (last instanceof org.apache.kafka.common.errors.AuthenticationException) {
                        throw new BrokerStartException("Kafka broker at " + bootstrapServers() + " refuses its own administrator's login ("
                                + last.getMessage() + "); with --sasl-users, the super user's password is the one the data directory "
                                + dataDir + " was first started with: put that one back in the users file", last);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    last = e;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new BrokerStartException("Kafka broker at " + bootstrapServers() + " did not answer within "
                            + settings.startTimeout.toSeconds() + " s" + (last == null ? "" : ": " + last), last);
                }
                Thread.sleep(READY_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("Interrupted while waiting for the Kafka broker to start", e);
        }
    }

    private BrokerStartException startFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return portInUse(e);
            }
        }
        return new BrokerStartException("Kafka broker failed to start on " + HOST + ":" + port
                + " (data in " + dataDir + "): " + e, e);
    }

    private BrokerStartException portInUse(Exception e) {
        String ports = settings.controllerPort == 0 ? "Port " + settings.port
                : "Port " + settings.port + " or controller port " + settings.controllerPort;
        return new BrokerStartException(ports + " on " + HOST
                + " is already in use (another Kafka broker?); stop it, or choose another port (0 picks a free one)", e);
    }

    // ---- Kafka's exit procedures ---------------------------------------------------------------

    /**
     * Kafka's servers call {@code Exit.exit}/{@code Exit.halt} on fatal faults, which by default
     * end the whole JVM: the user's application with it. Replace them once, for the JVM.
     */
    private static void installExitGuard() {
        if (EXIT_GUARD_INSTALLED.compareAndSet(false, true)) {
            Exit.setExitProcedure((status, message) -> refuseExit("exit", status, message));
            Exit.setHaltProcedure((status, message) -> refuseExit("halt", status, message));
        }
    }

    private static void refuseExit(String kind, int status, String message) {
        String what = "Kafka asked to " + kind + " the JVM with status " + status + (message == null ? "" : ": " + message);
        LOG.error("{}; refused, since the embedded broker shares this JVM with the application", what);
        for (EmbeddedKafkaBroker broker : RUNNING) {
            if (broker.fault == null) {
                broker.fault = what;
            }
            broker.stopped.countDown();
        }
        // Kafka expects exit() not to return; stop the faulting thread instead of letting it carry on.
        throw new IllegalStateException(what);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void requireStarted() {
        if (port == 0) {
            throw new IllegalStateException("the broker has not been started; call start() first");
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new BrokerStartException("Cannot list Kafka data directory " + dir + ": " + describe(e), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("Could not delete temporary Kafka data directory {}", dir, e);
        }
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * Settings for an {@link EmbeddedKafkaBroker}. Defaults suit one developer machine and tests:
     * any free port, a temporary directory, one partition per topic, no topic auto-creation.
     */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private int defaultPartitions = 1;
        private boolean autoCreateTopics;
        private SecurityProtocol securityProtocol = SecurityProtocol.PLAINTEXT;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, String> clientProperties = new LinkedHashMap<>();
        private final List<String> scramCredentials = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int nodeId = 1;
        private int controllerPort;
        private String quorumVoters;
        private String clusterId;
        private int clusterSize = 1;

        private Builder() {
        }

        /** A fixed port for users who point other tools at it; 0 (the default) avoids clashes in tests. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Keeps topics and records across restarts: storage is formatted on first use only. The
         * directory must be new, empty, or a directory this class formatted before. Without it, a
         * temporary directory is used and deleted on {@link #close()}.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Partitions for topics created without an explicit count ({@code num.partitions}). */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("default partitions must be at least 1, got " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /** Off by default, so that a mistyped topic fails instead of appearing; on for quick experiments. */
        public Builder autoCreateTopics(boolean enabled) {
            this.autoCreateTopics = enabled;
            return this;
        }

        /**
         * The client listener's protocol, for tests of secured setups (e.g. {@code SASL_PLAINTEXT}).
         * The listener is named after the protocol, so its per-listener settings are
         * {@code listener.name.sasl_plaintext.…}; pass them with {@link #brokerProperty}. The
         * controller listener stays PLAINTEXT on loopback.
         */
        public Builder securityProtocol(SecurityProtocol protocol) {
            this.securityProtocol = protocol;
            return this;
        }

        /** Any broker setting; applied last, so it overrides this class's defaults (e.g. to enable SASL or ACLs). */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** Several broker settings at once; see {@link #brokerProperty}. */
        public Builder brokerProperties(Map<String, String> properties) {
            brokerProperties.putAll(properties);
            return this;
        }

        /**
         * A client setting (e.g. {@code sasl.jaas.config}) that both the start-up readiness check and
         * {@link EmbeddedKafkaBroker#clientProperties()} use; needed once the listener is secured.
         */
        public Builder clientProperty(String key, String value) {
            clientProperties.put(key, value);
            return this;
        }

        /** Several client settings at once; see {@link #clientProperty}. */
        public Builder clientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        /**
         * A SCRAM user created when the storage is formatted, so that a SASL/SCRAM broker has an
         * admin before anyone can log in. Same syntax as {@code kafka-storage format --add-scram},
         * e.g. {@code SCRAM-SHA-256=[name=admin,password=admin-secret]}. Ignored for storage formatted before.
         */
        public Builder scramCredential(String formatterArgument) {
            scramCredentials.add(formatterArgument);
            return this;
        }

        /** How long {@link #start()} may take before giving up; generous by default for busy CI machines. */
        public Builder startTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("start timeout must be positive, got " + timeout);
            }
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Makes this broker node {@code nodeId} of a {@code clusterSize}-node KRaft cluster whose
         * controllers are {@code quorumVoters} ({@code id@host:port,…}, this node's own controller
         * on {@code controllerPort}). Every node of one cluster must be formatted with the same
         * {@code clusterId}. {@link KafkaNodeLayout} works all of this out from a base port.
         */
        public Builder clusterNode(int nodeId, int clusterSize, int controllerPort, String quorumVoters, String clusterId) {
            if (nodeId < 1 || clusterSize < 1 || nodeId > clusterSize) {
                throw new IllegalArgumentException("node id must be in 1.." + clusterSize + ", got " + nodeId);
            }
            if (controllerPort < 1 || controllerPort > 65_535) {
                throw new IllegalArgumentException("controller port must be in 1..65535, got " + controllerPort);
            }
            this.nodeId = nodeId;
            this.clusterSize = clusterSize;
            this.controllerPort = controllerPort;
            this.quorumVoters = quorumVoters;
            this.clusterId = clusterId;
            return this;
        }

        /** A broker not yet started, for callers that register it for cleanup before starting it. */
        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }

        /** Builds and starts in one call; see {@link EmbeddedKafkaBroker#start()}. */
        public EmbeddedKafkaBroker start() {
            return build().start();
        }

        private Builder copy() {
            Builder b = new Builder();
            b.port = port;
            b.dataDir = dataDir;
            b.defaultPartitions = defaultPartitions;
            b.autoCreateTopics = autoCreateTopics;
            b.securityProtocol = securityProtocol;
            b.brokerProperties.putAll(brokerProperties);
            b.clientProperties.putAll(clientProperties);
            b.scramCredentials.addAll(scramCredentials);
            b.startTimeout = startTimeout;
            b.nodeId = nodeId;
            b.controllerPort = controllerPort;
            b.quorumVoters = quorumVoters;
            b.clusterId = clusterId;
            b.clusterSize = clusterSize;
            return b;
        }
    }
}
