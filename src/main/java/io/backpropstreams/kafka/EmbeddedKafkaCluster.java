package io.backpropstreams.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A replicated Kafka cluster of {@code nodes} KRaft nodes (each broker and controller) inside this
 * JVM, laid out by {@link KafkaNodeLayout}: {@code broker --nodes 3}. With three nodes, topics get
 * three replicas and survive the loss of one node; to really kill one (SIGKILL), run each node in
 * its own process instead ({@code broker --nodes 3 --node-id N}).
 *
 * <p>The nodes start together, since a node is ready only once a majority of the controller
 * quorum runs, and stop together, since a node that outlives the majority cannot finish its
 * controlled shutdown.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final int PORT_SEARCH_ATTEMPTS = 50;

    private final KafkaNodeLayout layout;
    private final List<EmbeddedKafkaBroker> nodes = new ArrayList<>();
    private final Path dataDir;
    private Duration startupTime;

    private EmbeddedKafkaCluster(KafkaNodeLayout layout, Path dataDir, java.util.Map<String, String> brokerProperties) {
        this.layout = layout;
        this.dataDir = dataDir;
        for (int id = 1; id <= layout.nodes(); id++) {
            nodes.add(layout.node(id, dataDir).brokerProperties(brokerProperties).startTimeout(Duration.ofSeconds(120)).build());
        }
    }

    /**
     * A cluster not yet started. {@code basePort} 0 picks a free range of {@code 2 * nodes} ports;
     * {@code dataDir} null keeps each node's data in a temporary directory deleted on close.
     */
    public static EmbeddedKafkaCluster create(int nodes, int basePort, Path dataDir) {
        return create(nodes, basePort, dataDir, java.util.Map.of());
    }

    /** As {@link #create(int, int, Path)}, with {@code brokerProperties} applied to every node. */
    public static EmbeddedKafkaCluster create(int nodes, int basePort, Path dataDir, java.util.Map<String, String> brokerProperties) {
        int base = basePort != 0 ? basePort : freePortRange(2 * nodes);
        return new EmbeddedKafkaCluster(new KafkaNodeLayout(base, nodes), dataDir, brokerProperties);
    }

    /**
     * Starts every node at once and returns when all answer.
     *
     * @throws BrokerStartException with the first node's reason if any node fails; nothing is left running
     */
    public EmbeddedKafkaCluster start() {
        long t0 = System.nanoTime();
        List<CompletableFuture<EmbeddedKafkaBroker>> starting = nodes.stream()
                .map(node -> CompletableFuture.supplyAsync(node::start, runnable -> {
                    Thread t = new Thread(runnable, "kafka-node-" + (nodes.indexOf(node) + 1) + "-start");
                    t.setDaemon(true);
                    t.start();
                }))
                .toList();
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            close();
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
        startupTime = Duration.ofNanos(System.nanoTime() - t0);
        return this;
    }

    public KafkaNodeLayout layout() {
        return layout;
    }

    /** Every node's client address, comma-separated. */
    public String bootstrapServers() {
        return layout.bootstrapServers();
    }

    /** The parent of the nodes' {@code node-<id>} directories, or empty when they are temporary. */
    public Optional<Path> dataDir() {
        return Optional.ofNullable(dataDir);
    }

    public Duration startupTime() {
        return startupTime;
    }

    /** The first fault any node stopped with; see {@link EmbeddedKafkaBroker#fault()}. */
    public Optional<String> fault() {
        return nodes.stream().map(EmbeddedKafkaBroker::fault).flatMap(Optional::stream).findFirst();
    }

    /** Blocks until the cluster is closed or any node stops on its own. */
    public void awaitStopped() throws InterruptedException {
        while (true) {
            for (EmbeddedKafkaBroker node : nodes) {
                if (node.awaitStopped(Duration.ofMillis(200))) {
                    return;
                }
            }
        }
    }

    /** Stops every node at once, while the quorum still has its majority; safe to call more than once. */
    @Override
    public void close() {
        // one thread per node, not a shared pool that threads blocked elsewhere could starve
        List<Thread> stopping = new ArrayList<>();
        for (EmbeddedKafkaBroker node : nodes) {
            Thread t = new Thread(node::close, "kafka-node-" + node.nodeId() + "-stop");
            t.setDaemon(true);
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A base port such that {@code count} consecutive ports on 127.0.0.1 were all free a moment ago. */
    public static int freePortRange(int count) {
        for (int attempt = 0; attempt < PORT_SEARCH_ATTEMPTS; attempt++) {
            // below the kernel's ephemeral range: there, an outgoing connection of any client may take a
            // port between this probe and the broker's bind ("Address already in use")
            int base = ThreadLocalRandom.current().nextInt(10_000, Math.max(10_001, ephemeralPortsFrom() - count));
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new BrokerStartException("Found no " + count + " consecutive free ports on " + EmbeddedKafkaBroker.HOST
                + " in " + PORT_SEARCH_ATTEMPTS + " tries; give a base port with --port");
    }

    /** The first port the kernel hands out to outgoing connections (Linux's ip_local_port_range), or 32768. */
    static int ephemeralPortsFrom() {
        try {
            String range = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default; elsewhere a guess that keeps clear of the usual ranges
        }
    }

    private static boolean allFree(int base, int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int port = base; port < base + count; port++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(EmbeddedKafkaBroker.HOST), port));
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a probe socket; nothing to do
                }
            }
        }
    }
}
