package io.backpropstreams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells an operator when a service loses its Kafka cluster and when it is back, in one line each.
 *
 * <p>Kafka's clients ride out a broker restart on their own: the consumer and the producer retry
 * and reconnect, and Kafka Streams stays RUNNING all the while. That is what a service wants, but
 * it is silent, or it floods the log with one WARN per connection attempt. This watch asks the
 * cluster to describe itself every {@link #PROBE_EVERY} (an Admin {@code DescribeCluster} call,
 * the cheapest request that needs a live broker). After {@link #FAILURES_TO_LOSE} failed probes in
 * a row it says the cluster is lost; while it stays away it says so again every
 * {@link #REMIND_EVERY}; the first probe that succeeds says it is back and how long it was away.
 * {@link #status()} feeds {@code /health}.
 *
 * <p>In a replicated cluster the same probe lists the live nodes. When a node this watch has seen
 * drops out (Kafka fences a broker that misses its heartbeats for {@code broker.session.timeout.ms},
 * 9 s by default), it says which, and again when every node is back. Replicated topics carry on
 * meanwhile, as long as {@code min.insync.replicas} replicas remain.
 */
public final class ClusterWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    static final Duration PROBE_EVERY = Duration.ofSeconds(2);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(4);
    static final int FAILURES_TO_LOSE = 2;
    static final Duration REMIND_EVERY = Duration.ofSeconds(30);

    /**
     * What the watch last saw.
     *
     * @param reachable false from the moment the cluster was declared lost until a probe succeeds again
     * @param since     when the cluster was last declared lost or back (the start, at first)
     * @param lastError why the last probe failed, or null
     * @param liveNodes  how many nodes the last successful probe listed
     * @param knownNodes how many nodes this watch has seen since it started
     */
    public record Status(boolean reachable, Instant since, String lastError, int liveNodes, int knownNodes) {
    }

    private final Admin admin;
    private final String address;
    private final Consumer<String> say;
    private final ScheduledExecutorService timer;
    private volatile Status status = new Status(true, Instant.now(), null, 0, 0);
    private final Map<Integer, String> seenNodes = new TreeMap<>();
    private Set<Integer> missingNodes = Set.of();
    private int failures;
    private Instant failingSince;
    private Instant lastReminder;

    /** A watch nothing probes until {@link #start} schedules it; tests drive {@link #observe} directly. */
    ClusterWatch(Admin admin, String address, Consumer<String> say) {
        this.admin = admin;
        this.address = address;
        this.say = say;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts watching the cluster that {@code adminConfig} names (a cluster just seen reachable).
     *
     * @param say hears the "lost", "still away" and "back" lines
     */
    public static ClusterWatch start(Properties adminConfig, Consumer<String> say) {
        Properties p = new Properties();
        p.putAll(adminConfig);
        // one quiet client: its own retries would only delay the verdict of each probe
        p.putIfAbsent("client.id", "backprop-streams-cluster-watch");
        p.put("request.timeout.ms", Long.toString(PROBE_TIMEOUT.toMillis()));
        p.put("default.api.timeout.ms", Long.toString(PROBE_TIMEOUT.toMillis()));
        ClusterWatch w = new ClusterWatch(Admin.create(p), p.getProperty("bootstrap.servers"), say);
        w.timer.scheduleWithFixedDelay(w::probe, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    /** What the watch last saw. */
    public Status status() {
        return status;
    }

    private void probe() {
        String error = null;
        Map<Integer, String> live = null;
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis()))
                    .nodes().get(PROBE_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            live = new TreeMap<>();
            for (Node n : nodes) {
                live.put(n.id(), n.host() + ":" + n.port());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            error = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        try {
            observe(error, Instant.now());
            if (live != null) {
                observeNodes(live);
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster watch: {}", e.toString());
        }
    }

    /** One probe's verdict: null if the cluster answered, else why not. Package-private for tests. */
    void observe(String error, Instant now) {
        Status s = status;
        if (error == null) {
            failures = 0;
            if (!s.reachable()) {
                long away = Duration.between(s.since(), now).toSeconds();
                status = new Status(true, now, null, s.liveNodes(), s.knownNodes());
                say.accept(String.format(Locale.ROOT, "Kafka cluster at %s is back after %d s; training resumes.", address, away));
            }
            return;
        }
        if (failures++ == 0) {
            failingSince = now;
        }
        if (s.reachable()) {
            if (failures >= FAILURES_TO_LOSE) {
                // the outage began with the first failed probe, not when it was declared
                status = new Status(false, failingSince, error, s.liveNodes(), s.knownNodes());
                lastReminder = now;
                say.accept(String.format(Locale.ROOT,
                        "Lost the Kafka cluster at %s (%s). Training pauses; the trainer keeps retrying and resumes when it is back.",
                        address, error));
            }
            return;
        }
        status = new Status(false, s.since(), error, s.liveNodes(), s.knownNodes());
        if (Duration.between(lastReminder, now).compareTo(REMIND_EVERY) >= 0) {
            lastReminder = now;
            say.accept(String.format(Locale.ROOT, "Still no Kafka cluster at %s after %d s (%s); retrying.", address,
                    Duration.between(s.since(), now).toSeconds(), error));
        }
    }

    /** The nodes a successful probe listed, by id with their addresses. Package-private for tests. */
    void observeNodes(Map<Integer, String> live) {
        seenNodes.putAll(live);
        Set<Integer> missing = new TreeSet<>(seenNodes.keySet());
        missing.removeAll(live.keySet());
        Status s = status;
        status = new Status(s.reachable(), s.since(), s.lastError(), live.size(), seenNodes.size());
        if (missing.equals(missingNodes)) {
            return;
        }
        if (missing.isEmpty()) {
            say.accept(String.format(Locale.ROOT, "All %d Kafka nodes answer again.", seenNodes.size()));
        } else {
            String gone = missing.stream().map(id -> "node " + id + " at " + seenNodes.get(id)).collect(Collectors.joining(", "));
            say.accept(String.format(Locale.ROOT,
                    "Kafka %s stopped answering; the cluster runs on %d of %d nodes, and training carries on while enough replicas remain.",
                    gone, live.size(), seenNodes.size()));
        }
        missingNodes = missing;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
