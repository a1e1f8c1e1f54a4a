package io.backpropstreams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the application's topics before anything reads or writes them. Brokers here run with
 * {@code auto.create.topics.enable=false}, so that a mistyped topic name fails loudly instead of
 * silently creating a topic with default settings; this class is the one place that creates them.
 * Safe to call on every start: topics that already exist are left as they are.
 */
public final class Topics {

    /** Long enough for a cluster that is still starting, short enough that a typo is noticed. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);
    private static final long POLL_MS = 50;

    private Topics() {
    }

    /** Same as {@link #createIfMissing(Properties, Collection, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static Set<String> createIfMissing(Properties adminProperties, Collection<TopicSpec> topics) {
        return createIfMissing(adminProperties, topics, DEFAULT_TIMEOUT);
    }

    /**
     * Creates each topic that does not exist yet and returns once every topic has a leader for
     * every partition, so that a producer or a Streams app started right after finds them.
     *
     * @param adminProperties at least {@code bootstrap.servers}; security settings if the cluster needs them
     * @param topics          the topics the caller needs
     * @param timeout         overall deadline for reaching the cluster, creating and waiting
     * @return the names of the topics this call created (the others existed already)
     * @throws KafkaUnavailableException if no broker answers at {@code bootstrap.servers} in time
     * @throws IllegalStateException     if the cluster refuses to create a topic (the message says which and why)
     */
    public static Set<String> createIfMissing(Properties adminProperties, Collection<TopicSpec> topics, Duration timeout) {
        String bootstrap = adminProperties.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("admin properties need " + AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = openAdmin(adminProperties, bootstrap, timeout);
        try {
            awaitCluster(admin, adminProperties, bootstrap, timeout, deadline);
            Set<String> created = create(admin, bootstrap, topics, deadline);
            awaitLeaders(admin, bootstrap, topics, deadline);
            return created;
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /**
     * How many brokers the cluster has, waiting up to {@code timeout} for it to answer.
     *
     * @throws KafkaUnavailableException if no broker answers at {@code bootstrap.servers} in time
     */
    public static int brokerCount(Properties adminProperties, Duration timeout) {
        String bootstrap = adminProperties.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = openAdmin(adminProperties, bootstrap, timeout);
        try {
            awaitCluster(admin, adminProperties, bootstrap, timeout, deadline);
            return get(admin.describeCluster(new DescribeClusterOptions().timeoutMs(Math.max(1, remainingMs(deadline)))).nodes(), deadline)
                    .size();
        } catch (TimeoutException e) {
            throw KafkaUnavailableException.noAnswer(bootstrap, adminProperties, timeout.toMillis(), e);
        } catch (ExecutionException e) {
            throw failure("Kafka at " + bootstrap + " did not describe its cluster", e.getCause());
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private static Admin openAdmin(Properties adminProperties, String bootstrap, Duration timeout) {
        Properties props = new Properties();
        props.putAll(adminProperties);
        // Bound every request by our deadline; the client's own defaults retry for a minute or more.
        String ms = Long.toString(Math.max(1, timeout.toMillis()));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        try {
            return Admin.create(props);
        } catch (KafkaException e) {
            // e.g. "No resolvable bootstrap urls": the address itself is unusable.
            throw new KafkaUnavailableException(bootstrap,
                    "Cannot connect to Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    private static void awaitCluster(Admin admin, Properties adminProperties, String bootstrap, Duration timeout, long deadline) {
        try {
            int remaining = remainingMs(deadline);
            get(admin.describeCluster(new DescribeClusterOptions().timeoutMs(remaining)).nodes(), deadline);
        } catch (TimeoutException e) {
            throw KafkaUnavailableException.noAnswer(bootstrap, adminProperties, timeout.toMillis(), e);
        } catch (ExecutionException e) {
            throw failure("Kafka at " + bootstrap + " did not describe its cluster", e.getCause());
        }
    }

    private static Set<String> create(Admin admin, String bootstrap, Collection<TopicSpec> topics, long deadline) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec t : topics) {
            newTopics.add(new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.config()));
        }
        Map<String, KafkaFuture<Void>> results = admin
                .createTopics(newTopics, new CreateTopicsOptions().timeoutMs(remainingMs(deadline)))
                .values();
        Set<String> created = new LinkedHashSet<>();
        for (TopicSpec t : topics) {
            try {
                get(results.get(t.name()), deadline);
                created.add(t.name());
            } catch (ExecutionException e) {
                // A user without CREATE rights (ACLs) is refused even for a topic that exists: an
                // administrator may have created it for them. Then there is nothing to do.
                boolean exists = e.getCause() instanceof TopicExistsException
                        || e.getCause() instanceof TopicAuthorizationException && exists(admin, t.name(), deadline);
                if (!exists) {
                    throw failure("Could not create topic '" + t.name() + "' (" + t.partitions() + " partitions, replication "
                            + t.replicationFactor() + ", config " + t.config() + ") at " + bootstrap, e.getCause());
                }
            } catch (TimeoutException e) {
                throw new KafkaUnavailableException(bootstrap,
                        "Kafka at " + bootstrap + " did not confirm topic '" + t.name() + "' in time", e);
            }
        }
        return created;
    }

    /** True if {@code topic} exists and may be described; false if it does not, or may not be described. */
    private static boolean exists(Admin admin, String topic, long deadline) {
        try {
            get(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                    .allTopicNames(), deadline);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Creation is confirmed by the controller; brokers learn of it a moment later. Wait for that. */
    private static void awaitLeaders(Admin admin, String bootstrap, Collection<TopicSpec> topics, long deadline) {
        List<String> names = topics.stream().map(TopicSpec::name).toList();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = get(admin
                        .describeTopics(names, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                        .allTopicNames(), deadline);
                if (allHaveLeaders(descriptions.values())) {
                    warnOnPartitionMismatch(topics, descriptions);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("Could not describe topics " + names + " at " + bootstrap, e.getCause());
                }
            } catch (TimeoutException e) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            sleep(POLL_MS);
        }
        throw new KafkaUnavailableException(bootstrap,
                "Topics " + names + " at " + bootstrap + " did not get partition leaders in time", null);
    }

    private static boolean allHaveLeaders(Collection<TopicDescription> descriptions) {
        for (TopicDescription d : descriptions) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void warnOnPartitionMismatch(Collection<TopicSpec> topics, Map<String, TopicDescription> actual) {
        for (TopicSpec t : topics) {
            int partitions = actual.get(t.name()).partitions().size();
            if (partitions != t.partitions()) {
                LOG.warn("Topic '{}' already exists with {} partitions, not the {} asked for; keeping it as it is",
                        t.name(), partitions, t.partitions());
            }
        }
    }

    private static <T> T get(KafkaFuture<T> future, long deadline) throws ExecutionException, TimeoutException {
        try {
            // A little slack so that the request's own timeout (a clearer error) fires first.
            return future.get(remainingMs(deadline) + 1_000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException t) {
                TimeoutException timeout = new TimeoutException(t.getMessage());
                timeout.initCause(t);
                throw timeout;
            }
            throw e;
        }
    }

    private static int remainingMs(long deadline) {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static IllegalStateException failure(String what, Throwable cause) {
        return new IllegalStateException(what + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topic leaders", e);
        }
    }
}
