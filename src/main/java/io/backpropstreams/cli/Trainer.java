package io.backpropstreams.cli;

import io.backpropstreams.kafka.TopicSpec;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
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

    /** The five topics, with {@code samples} and {@code models} co-partitioned and {@code models} compacted. */
    public static List<TopicSpec> topicSpecs(TopicNames topics, int partitions) {
        List<TopicSpec> specs = new ArrayList<>();
        specs.add(TopicSpec.of(topics.samples(), partitions));
        specs.add(TopicSpec.of(topics.models(), partitions).compacted());
        specs.add(TopicSpec.of(topics.weights(), partitions));
        specs.add(TopicSpec.of(topics.metrics(), partitions));
        specs.add(TopicSpec.of(topics.deadLetters(), partitions));
        return specs;
    }

    /**
     * Creates missing topics, starts the trainer and waits until it is RUNNING.
     *
     * @param config     everything for Kafka Streams, {@code bootstrap.servers} included
     * @param partitions partitions of topics that must be created
     * @param timeout    how long to wait for the cluster and for RUNNING
     * @throws UserException if the cluster does not answer or the trainer fails to start
     */
    public static Trainer start(Properties config, int partitions, Duration timeout) {
        TopicNames topics = TopicNames.from(config);
        Properties admin = KafkaOptions.forClient(config, AdminClientConfig.configNames());
        Topics.createIfMissing(admin, topicSpecs(topics, partitions), timeout);
        Properties streamsConfig = TrainerTopology.streamsConfig(config, null);
        KafkaStreams streams = new KafkaStreams(TrainerTopology.build(topics), streamsConfig);
        Trainer trainer = new Trainer(streams, topics, streamsConfig);
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            LOG.info("trainer state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_SHUTDOWN) {
                running.countDown();
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                trainer.onStop.forEach(Runnable::run);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            trainer.failure.compareAndSet(null, e);
            LOG.error("trainer stopped by an unexpected error", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                streams.close(Duration.ofSeconds(10));
                throw new UserException("trainer did not reach RUNNING within " + timeout.toSeconds() + " s (state "
                        + streams.state() + ") at " + config.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            streams.close(Duration.ofSeconds(10));
            throw new UserException("interrupted while starting the trainer");
        }
        if (streams.state() != KafkaStreams.State.RUNNING) {
            Throwable cause = trainer.failure.get();
            streams.close(Duration.ofSeconds(10));
            throw new UserException("trainer failed to start: " + (cause == null ? streams.state() : rootMessage(cause)), cause);
        }
        return trainer;
    }

    /** Waits for a {@link KafkaStreams} instance to reach RUNNING, with a deadline. */
    record RunningWait(KafkaStreams streams) {
        void await(Duration timeout) throws InterruptedException {
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
     * It also leaves the consumer group (Kafka Streams stays in it by default), so that a restarted
     * or surviving instance gets the partitions at once instead of after {@code session.timeout.ms}
     * (45 s by default).
     */
    @Override
    public void close() {
        streams.close(org.apache.kafka.streams.CloseOptions
                .groupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
