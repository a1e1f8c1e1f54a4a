package io.backpropstreams.service;

import io.backpropstreams.client.ClientConfigs;

import io.backpropstreams.client.UserException;

import io.backpropstreams.kafka.Replication;
import io.backpropstreams.kafka.TopicSpec;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running trainer: the topics it needs, created if missing, and a {@link KafkaStreams}
 * instance of {@link TrainerTopology} that has reached RUNNING. Used by {@code run}, {@code demo},
 * {@code bench} and the integration tests, so they all start the trainer the same way.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Default number of partitions of every topic the trainer creates. */
    public static final int DEFAULT_PARTITIONS = 4;

    private final KafkaStreams streams;
    private final TopicNames topics;
    private final Properties config;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Runnable> onStop = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Trainer(KafkaStreams streams, TopicNames topics, Properties config) {
        this.streams = streams;
        this.topics = topics;
        this.config = config;
    }

    /** The nine topics, replicated as {@code replication} says (see {@link Replication}). */
    public static List<TopicSpec> topicSpecs(TopicNames topics, int partitions, Replication replication) {
        List<TopicSpec> specs = new ArrayList<>();
        for (TopicSpec t : topicSpecs(topics, partitions)) {
            TopicSpec r = t.withReplicationFactor(replication.factor());
            specs.add(replication.factor() > 1 ? r.withConfig("min.insync.replicas", Integer.toString(replication.minInsync())) : r);
        }
        return specs;
    }

    /**
     * min(3, brokers) replicas unless {@code replication.factor} is set (see {@link Replication}).
     *
     * @throws io.backpropstreams.kafka.KafkaUnavailableException if no broker answers within {@code timeout}
     */
    static Replication chooseReplication(Properties admin, Properties config, Duration timeout) {
        String configured = config.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        Integer wanted;
        try {
            wanted = configured == null ? null : Integer.valueOf(configured.trim());
        } catch (NumberFormatException e) {
            throw new UserException("replication.factor must be a whole number, got '" + configured + "'");
        }
        int brokers;
        try {
            brokers = Topics.brokerCount(admin, timeout);
        } catch (RuntimeException e) {
            throw explainSecurityFailure(e, config);
        }
        try {
            Replication r = Replication.forCluster(brokers, wanted);
            LOG.info("{} broker(s): topics get replication factor {}, min.insync.replicas {}", brokers, r.factor(), r.minInsync());
            return r;
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** {@code config} with Kafka Streams' internal topics (changelog, rerouting) replicated the same way. */
    static Properties withReplication(Properties config, Replication replication) {
        Properties p = new Properties();
        p.putAll(config);
        p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replication.factor()));
        if (replication.factor() > 1) {
            p.putIfAbsent(StreamsConfig.topicPrefix("min.insync.replicas"), Integer.toString(replication.minInsync()));
        }
        return p;
    }

    /** The nine topics, with {@code samples}, {@code models} and {@code predict-requests} co-partitioned, {@code models} and {@code training-progress} compacted. */
    public static List<TopicSpec> topicSpecs(TopicNames topics, int partitions) {
        String max = Integer.toString(TrainerTopology.MAX_RECORD_BYTES);
        List<TopicSpec> specs = new ArrayList<>();
        specs.add(TopicSpec.of(topics.samples(), partitions));
        specs.add(TopicSpec.of(topics.models(), partitions).compacted());
        // outputs carry whole models (weights) and whole bad records plus headers (dead letters)
        specs.add(TopicSpec.of(topics.weights(), partitions).withConfig("max.message.bytes", max));
        specs.add(TopicSpec.of(topics.metrics(), partitions).withConfig("max.message.bytes", max));
        specs.add(TopicSpec.of(topics.deadLetters(), partitions).withConfig("max.message.bytes", max));
        specs.add(TopicSpec.of(topics.progress(), partitions).compacted());
        // an input beside samples and models, so co-partitioned with them (inputPartitions checks it)
        specs.add(TopicSpec.of(topics.predictRequests(), partitions));
        // a prediction of a model with many classes, like a weights record, can exceed the broker's 1 MiB default
        specs.add(TopicSpec.of(topics.predictions(), partitions).withConfig("max.message.bytes", max));
        specs.add(TopicSpec.of(topics.drift(), partitions));
        return specs;
    }

    /**
     * What a starting trainer tells its caller while it waits for its partitions, and how the
     * caller cancels the wait (Ctrl-C during start-up).
     */
    public interface StartupListener {
        /** One line saying what the trainer waits for; called at most every {@link #REMIND_EVERY}. */
        void waiting(String line);

        /** True once the caller no longer wants the trainer (the wait ends with {@link StartCancelled}). */
        boolean cancelled();

        /**
         * For callers that own a fresh application (the demo, benchmarks, tests), where no earlier
         * instance can hold the partitions: logs the waiting lines, and fails once {@code timeout} has passed.
         */
        static StartupListener withDeadline(Duration timeout, String bootstrapServers) {
            long deadline = System.nanoTime() + timeout.toNanos();
            return new StartupListener() {
                @Override
                public void waiting(String line) {
                    LOG.info(line);
                }

                @Override
                public boolean cancelled() {
                    if (System.nanoTime() > deadline) {
                        throw new UserException("trainer did not reach RUNNING within " + timeout.toSeconds() + " s at " + bootstrapServers);
                    }
                    return false;
                }
            };
        }
    }

    /** The start was cancelled by its caller before the trainer reached RUNNING. */
    public static final class StartCancelled extends RuntimeException {
        StartCancelled() {
            super("stopped before the trainer reached RUNNING");
        }
    }

    /** How long the trainer waits in REBALANCING before it first says why, and then between reminders. */
    static final Duration FIRST_WAIT_NOTICE = Duration.ofSeconds(3);
    static final Duration REMIND_EVERY = Duration.ofSeconds(10);

    /**
     * Creates missing topics, starts the trainer and waits until it is RUNNING, for at most
     * {@code timeout} in all. For callers that own a fresh application (the demo, benchmarks,
     * tests), where no earlier instance can hold the partitions.
     *
     * @param config     everything for Kafka Streams, {@code bootstrap.servers} included
     * @param partitions partitions of topics that must be created
     * @param timeout    how long to wait for the cluster and for RUNNING
     * @throws UserException if the cluster does not answer or the trainer fails to start
     */
    public static Trainer start(Properties config, int partitions, Duration timeout) {
        return start(config, partitions, timeout,
                StartupListener.withDeadline(timeout, config.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)));
    }

    /**
     * Creates missing topics, starts the trainer and waits until it is RUNNING, as a service does:
     * {@code timeout} bounds only what is a failure (the cluster does not answer, topics cannot be
     * created or read, ACLs are missing). Waiting for partitions is not a failure. After a crash
     * ({@code kill -9}) the dead instance's consumer stays in the group until its session expires
     * ({@code session.timeout.ms}, 45 s by default), and the group cannot finish its rebalance
     * before that; the wait is unbounded, and {@code listener} hears what it waits for.
     *
     * @throws UserException   if the cluster does not answer or the trainer fails to start
     * @throws StartCancelled  if {@code listener} cancelled the wait
     */
    public static Trainer start(Properties userConfig, int partitions, Duration timeout, StartupListener listener) {
        TopicNames topics = TopicNames.from(userConfig);
        Properties admin = ClientConfigs.forClient(userConfig, AdminClientConfig.configNames());
        Replication replication = chooseReplication(admin, userConfig, timeout);
        Properties config = withReplication(userConfig, replication);
        try {
            Topics.createIfMissing(admin, topicSpecs(topics, partitions, replication), timeout);
        } catch (RuntimeException e) {
            throw explainSecurityFailure(e, config);
        }
        Map<String, TopicDescription> described = checkTopicAccess(admin, topics, timeout);
        int inputPartitions = inputPartitions(topics, described);
        Properties streamsConfig = TrainerTopology.streamsConfig(config, null);
        long waitingSince = System.nanoTime();
        awaitInstanceIdReleased(admin, streamsConfig, listener, waitingSince);
        while (true) {
            Trainer trainer = launch(topics, inputPartitions, streamsConfig);
            try {
                trainer.awaitFirstRunning(listener);
                return trainer;
            } catch (UserException e) {
                trainer.streams.close(Duration.ofSeconds(10));
                if (!isUnreleasedInstanceId(e.getCause())) {
                    throw e;
                }
                // group.protocol=streams: the broker keeps a crashed static member's instance id until its
                // session times out, and refuses the restarted member meanwhile; a service waits and retries.
                listener.waiting(String.format(Locale.ROOT, "waiting for the group to release instance id '%s' (%d s so far): "
                        + "under group.protocol=streams a static member that stopped without leaving keeps it until its "
                        + "session times out (group.streams.session.timeout.ms, 45 s by default); retrying every %d s",
                        streamsConfig.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                        (System.nanoTime() - waitingSince) / 1_000_000_000L, INSTANCE_ID_RETRY.toSeconds()));
                try {
                    pause(INSTANCE_ID_RETRY, listener);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted while starting the trainer");
                }
            } catch (RuntimeException e) {
                trainer.streams.close(Duration.ofSeconds(10));
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                trainer.streams.close(Duration.ofSeconds(10));
                throw new UserException("interrupted while starting the trainer");
            }
        }
    }

    /**
     * Under {@code group.protocol=streams}, a static member killed without leaving keeps its instance
     * id until its session times out, and the broker refuses a new member with that id meanwhile
     * (UNRELEASED_INSTANCE_ID, fatal to the stream thread). So before joining, wait, saying so, until
     * the group lists no live member under this instance's id (Kafka Streams adds "-1", "-2", … per
     * thread). A static member that left cleanly has epoch -2 and hands its id over at once.
     */
    private static void awaitInstanceIdReleased(Properties admin, Properties streamsConfig, StartupListener listener, long since) {
        String instanceId = streamsConfig.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        String protocol = streamsConfig.getProperty(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
        if (instanceId == null || !protocol.equalsIgnoreCase("streams")) {
            return;
        }
        String group = streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        try (Admin client = Admin.create(admin)) {
            long lastSaid = 0;
            while (true) {
                boolean held;
                try {
                    held = client.describeStreamsGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members().stream()
                            .anyMatch(m -> m.instanceId().filter(id -> id.matches(java.util.regex.Pattern.quote(instanceId) + "-\\d+")).isPresent()
                                    && m.memberEpoch() != LEFT_STATIC_MEMBER_EPOCH);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    return; // no such group yet, or no answer: joining will tell
                }
                if (!held) {
                    return;
                }
                long now = System.nanoTime();
                if (lastSaid != 0 && now - lastSaid < REMIND_EVERY.toNanos()) {
                    pause(INSTANCE_ID_RETRY, listener);
                    continue;
                }
                lastSaid = now;
                listener.waiting(String.format(Locale.ROOT, "waiting for the group '%s' to release instance id '%s' (%d s so far): "
                        + "under group.protocol=streams a static member that stopped without leaving (kill -9, a crash) keeps it "
                        + "until its session times out (group.streams.session.timeout.ms, 45 s by default)",
                        group, instanceId, (System.nanoTime() - since) / 1_000_000_000L));
                pause(INSTANCE_ID_RETRY, listener);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while starting the trainer");
        }
    }

    /** The member epoch of a static member that left on purpose and may come back (KIP-848). */
    private static final int LEFT_STATIC_MEMBER_EPOCH = -2;

    private static void pause(Duration d, StartupListener listener) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            if (listener.cancelled()) {
                throw new StartCancelled();
            }
            Thread.sleep(100);
        }
    }

    /** How often a static member refused under {@code group.protocol=streams} tries again. */
    static final Duration INSTANCE_ID_RETRY = Duration.ofSeconds(5);

    private static boolean isUnreleasedInstanceId(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.UnreleasedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    /** A new KafkaStreams on the trainer's topology, started. */
    private static Trainer launch(TopicNames topics, int inputPartitions, Properties streamsConfig) {
        KafkaStreams streams = new KafkaStreams(TrainerTopology.build(topics, inputPartitions), streamsConfig);
        Trainer trainer = new Trainer(streams, topics, streamsConfig);
        streams.setStateListener((now, before) -> {
            LOG.info("trainer state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                trainer.onStop.forEach(Runnable::run);
            }
        });
        streams.setUncaughtExceptionHandler(trainer::onStreamThreadError);
        streams.start();
        return trainer;
    }

    private void awaitFirstRunning(StartupListener listener) throws InterruptedException {
        long begin = System.nanoTime();
        long nextNotice = begin + FIRST_WAIT_NOTICE.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                Throwable cause = failure.get();
                throw new UserException("trainer failed to start: " + (cause == null ? state : rootMessage(cause)), cause);
            }
            if (listener.cancelled()) {
                throw new StartCancelled();
            }
            long now = System.nanoTime();
            if (now >= nextNotice) {
                listener.waiting(waitingLine((now - begin) / 1_000_000_000L));
                nextNotice = now + REMIND_EVERY.toNanos();
            }
            Thread.sleep(50);
        }
    }

    /**
     * What a trainer still in REBALANCING waits for, in words an operator can act on, with the
     * setting that bounds the wait.
     */
    String waitingLine(long secondsSoFar) {
        String group = config.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        Object instanceId = config.get(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        String session = String.valueOf(streamsConsumerSetting(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "45000"));
        long sessionSeconds = Math.max(1, Long.parseLong(session.trim()) / 1000);
        if (instanceId != null) {
            return String.format(java.util.Locale.ROOT,
                    "waiting for partitions (%d s so far): static member %s of group '%s' is joining; a previous instance with"
                            + " the same --instance-id hands its partitions over at once", secondsSoFar, instanceId, group);
        }
        // the client cannot tell a crashed predecessor from a live one: with the same state directory both
        // have the same process id and client id, so say what bounds the wait in either case
        return String.format(java.util.Locale.ROOT,
                "waiting for the group '%s' to assign partitions (%d s so far). A previous instance that stopped without"
                        + " leaving the group (kill -9, a crash) holds its partitions until session.timeout.ms = %d s has passed;"
                        + " use --instance-id to take them back at once", group, secondsSoFar, sessionSeconds);
    }

    private Object streamsConsumerSetting(String key, String dflt) {
        Object v = config.get(StreamsConfig.mainConsumerPrefix(key));
        if (v == null) {
            v = config.get(StreamsConfig.consumerPrefix(key));
        }
        if (v == null) {
            v = config.get(key);
        }
        return v == null ? dflt : v;
    }

    /**
     * A stream thread died. Errors the cluster may recover from (it is away, a request timed out)
     * replace the thread: under exactly-once its open transaction is aborted and the new thread
     * resumes from the last commit, so a service rides out a long outage instead of exiting. Any
     * other error stops the trainer, and {@code run} exits with it.
     */
    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadError(Throwable e) {
        if (isRetriable(e)) {
            LOG.warn("a stream thread stopped on a retriable error ({}); replacing it and retrying", rootMessage(e));
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        failure.compareAndSet(null, e);
        LOG.error("trainer stopped by an unexpected error", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** True if {@code e} or a cause is a Kafka error that retrying can cure (a timeout, a lost broker). */
    static boolean isRetriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof org.apache.kafka.common.errors.TimeoutException
                    || t instanceof org.apache.kafka.common.errors.DisconnectException
                    || t instanceof org.apache.kafka.common.errors.TransactionAbortableException
                    // the producer's own state after a lost broker: a new thread gets a new producer epoch
                    || t instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException
                    || t instanceof org.apache.kafka.common.errors.InvalidPidMappingException
                    || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
                    || t instanceof org.apache.kafka.common.errors.ProducerFencedException
                    || t instanceof org.apache.kafka.common.errors.UnknownProducerIdException) {
                return true;
            }
        }
        return false;
    }

    /** Waits for a {@link KafkaStreams} instance to reach RUNNING, with a deadline. */
    public record RunningWait(KafkaStreams streams) {
        /** @throws UserException if it is in ERROR or NOT_RUNNING, or not RUNNING after {@code timeout} */
        public void await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING
                        || System.nanoTime() > deadline) {
                    throw new UserException("Kafka Streams is " + streams.state() + ", not RUNNING, after " + timeout.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Waits until the trainer is RUNNING again (after a rebalance), or fails. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        new RunningWait(streams).await(timeout);
    }

    /** Runs {@code action} (on a Streams thread) when the trainer stops or fails. */
    public void onStop(Runnable action) {
        onStop.add(action);
    }

    /** The Kafka Streams instance, for interactive queries and metrics. */
    public KafkaStreams streams() {
        return streams;
    }

    /** The topic names in use. */
    public TopicNames topics() {
        return topics;
    }

    /** The effective Streams configuration. */
    public Properties config() {
        return config;
    }

    /** The error that stopped the trainer, if any. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops the trainer cleanly: the open transaction is committed and local state checkpointed.
     * A dynamic member also leaves the consumer group (Kafka Streams stays in it by default), so
     * that a restarted or surviving instance gets the partitions at once instead of after
     * {@code session.timeout.ms} (45 s by default). A static member ({@code group.instance.id},
     * {@code run --instance-id}) stays in the group: its partitions wait for it, unassigned, for up
     * to {@code session.timeout.ms}, and when it comes back it takes them without a rebalance.
     */
    @Override
    public void close() {
        boolean staticMember = config.get(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG) != null;
        streams.close(org.apache.kafka.streams.CloseOptions
                .groupMembershipOperation(staticMember
                        ? org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                        : org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }

    /**
     * Fails at once, naming the topics, if the configured principal may not READ the input topics
     * or WRITE the output topics (ACLs). Without this check Kafka Streams reaches RUNNING and stops
     * only when the first sample's output is refused. Brokers without an authorizer allow everything,
     * so the check passes there; if the broker does not report the operations, it is skipped.
     */
    static Map<String, TopicDescription> checkTopicAccess(Properties adminProperties, TopicNames topics, Duration timeout) {
        Properties props = new Properties();
        props.putAll(adminProperties);
        String ms = Long.toString(Math.max(1, timeout.toMillis()));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        Map<String, TopicDescription> described;
        try (Admin admin = Admin.create(props)) {
            described = admin.describeTopics(topics.all(), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw explainSecurityFailure(new IllegalStateException("could not describe topics " + topics.all() + ": "
                    + rootMessage(e.getCause()), e.getCause()), adminProperties);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UserException("Kafka did not describe topics " + topics.all() + " within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while checking access to topics " + topics.all());
        }
        List<String> missing = new ArrayList<>();
        for (String t : List.of(topics.samples(), topics.models(), topics.predictRequests())) {
            lacks(described.get(t), AclOperation.READ).ifPresent(op -> missing.add(op + " on topic '" + t + "'"));
        }
        for (String t : List.of(topics.weights(), topics.metrics(), topics.deadLetters(), topics.predictions(), topics.drift())) {
            lacks(described.get(t), AclOperation.WRITE).ifPresent(op -> missing.add(op + " on topic '" + t + "'"));
        }
        if (!missing.isEmpty()) {
            throw new UserException("not authorized: " + principal(adminProperties) + " lacks " + String.join(", ", missing)
                    + " (ACLs; the trainer needs READ on its input topics and WRITE on its output topics)");
        }
        return described;
    }

    /**
     * The partitions of {@code samples}, which must equal those of {@code models} and of
     * {@code predict-requests}: a model's spec, its samples and its requests meet in the task of one partition.
     */
    static int inputPartitions(TopicNames topics, Map<String, TopicDescription> described) {
        int samples = described.get(topics.samples()).partitions().size();
        int models = described.get(topics.models()).partitions().size();
        if (samples != models) {
            throw new UserException("topic '" + topics.samples() + "' has " + samples + " partitions and topic '" + topics.models()
                    + "' has " + models + "; they must have the same number (a model's spec and its samples meet in one partition)");
        }
        int requests = described.get(topics.predictRequests()).partitions().size();
        if (requests != samples) {
            // e.g. a trainer upgraded with samples created with --partitions 8 gets predict-requests with the default 4
            throw new UserException("topic '" + topics.predictRequests() + "' has " + requests + " partitions and topic '"
                    + topics.samples() + "' has " + samples + "; they must have the same number (a model's requests are answered"
                    + " in its partition): recreate '" + topics.predictRequests() + "' with " + samples + " partitions, or start"
                    + " run with --partitions " + samples + " before it exists");
        }
        return samples;
    }

    private static java.util.Optional<AclOperation> lacks(TopicDescription d, AclOperation op) {
        Set<AclOperation> allowed = d == null ? null : d.authorizedOperations();
        return allowed == null || allowed.contains(op) || allowed.contains(AclOperation.ALL)
                ? java.util.Optional.empty() : java.util.Optional.of(op);
    }

    /** "user 'name'" from a SASL JAAS config, or "the configured principal". */
    private static String principal(Properties config) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("username\\s*=\\s*\"([^\"]*)\"")
                .matcher(config.getProperty(SaslConfigs.SASL_JAAS_CONFIG, ""));
        return m.find() ? "user '" + m.group(1) + "'" : "the configured principal";
    }

    /**
     * A one-line {@link UserException} if {@code e} was caused by a failed authentication or a
     * missing ACL, so that the command line prints the cause instead of a stack trace; else {@code e}.
     */
    static RuntimeException explainSecurityFailure(RuntimeException e, Properties config) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof AuthenticationException) {
                return new UserException("authentication failed at " + config.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                        + ": " + c.getMessage() + " (check security.protocol, sasl.mechanism and the user name and password"
                        + " in sasl.jaas.config)", e);
            }
            if (c instanceof AuthorizationException) {
                return new UserException("not authorized: " + principal(config) + " was refused: " + e.getMessage(), e);
            }
        }
        return e;
    }

    /** The innermost cause of {@code t}, as "SimpleClassName: message". */
    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
