package io.backpropstreams.it.fault;

import io.backpropstreams.kafka.Topics;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every fault scenario starts from and ends with: a seed (printed, so that a failing run can
 * be repeated with {@code -Dfault.seed=N}), a work directory, a {@link Workload} of seeded models
 * and samples, a trainer config, and at the end the {@link Ledger}'s verdict. A scenario reads
 * as: build it, {@link #startTraining start training}, {@link #onThresholds hit the trainer or
 * the broker} as committed progress passes its thresholds, drain, and {@link #assertExactlyOnce}.
 */
final class FaultScenario {

    final String label;
    final long seed;
    final Random random;
    final Path dir;
    final String bootstrap;
    final Properties client;
    final TopicNames topics;
    final Workload work;
    final String applicationId;
    final int partitions;
    private final long t0 = System.nanoTime();

    private FaultScenario(String label, String bootstrap, TopicNames topics, int partitions, int models, int samplesPerModel)
            throws Exception {
        this(label, bootstrap, topics, null, partitions, models, samplesPerModel);
    }

    private FaultScenario(String label, String bootstrap, TopicNames topics, String applicationId, int partitions, int models,
                          int samplesPerModel) throws Exception {
        this(label, bootstrap, topics, applicationId, partitions, models, samplesPerModel, Workload.Mix.CLASSIC);
    }

    private FaultScenario(String label, String bootstrap, TopicNames topics, String applicationId, int partitions, int models,
                          int samplesPerModel, Workload.Mix mix) throws Exception {
        this.label = label;
        this.seed = FaultKit.seed();
        this.random = new Random(seed);
        this.dir = FaultKit.workDir(label);
        this.bootstrap = bootstrap;
        this.client = FaultKit.client(bootstrap);
        this.topics = topics;
        this.partitions = partitions;
        this.work = Workload.create(seed, partitions, models, samplesPerModel, mix);
        this.applicationId = applicationId != null ? applicationId : label + "-" + seed;
    }

    /** A scenario on the default topic names. */
    static FaultScenario of(String label, String bootstrap, int partitions, int models, int samplesPerModel) throws Exception {
        return new FaultScenario(label, bootstrap, TopicNames.DEFAULTS, partitions, models, samplesPerModel);
    }

    /**
     * A scenario on everything a user gets by default: the default topic names and application id
     * ({@code backprop-streams}), for a trainer started with no {@code --config} at all. One per broker.
     */
    static FaultScenario withDefaults(String label, String bootstrap, int partitions, int models, int samplesPerModel)
            throws Exception {
        return new FaultScenario(label, bootstrap, TopicNames.DEFAULTS, io.backpropstreams.topology.TrainerTopology.DEFAULT_APPLICATION_ID,
                partitions, models, samplesPerModel);
    }

    /** A scenario on topics of its own ({@code <label>-samples}, …), for classes that run several. */
    static FaultScenario withOwnTopics(String label, String bootstrap, int partitions, int models, int samplesPerModel)
            throws Exception {
        return new FaultScenario(label, bootstrap, FaultKit.topics(label + "-"), partitions, models, samplesPerModel);
    }

    /** As {@link #withOwnTopics(String, String, int, int, int)}, training the models of {@code mix}. */
    static FaultScenario withOwnTopics(String label, String bootstrap, int partitions, int models, int samplesPerModel,
                                       Workload.Mix mix) throws Exception {
        return new FaultScenario(label, bootstrap, FaultKit.topics(label + "-"), null, partitions, models, samplesPerModel, mix);
    }

    /** Creates the trainer's topics (the broker must be up). */
    FaultScenario createTopics() {
        Topics.createIfMissing(client, Trainer.topicSpecs(topics, partitions), Duration.ofSeconds(30));
        return this;
    }

    /** Writes {@code trainer.properties} for {@code run --config} under exactly-once v2. */
    Path trainerConfig() throws Exception {
        return trainerConfig("trainer", StreamsConfig.EXACTLY_ONCE_V2, Map.of());
    }

    /** Writes {@code <name>.properties} with its own state directory {@code <name>-state}. */
    Path trainerConfig(String name, String guarantee, Map<String, String> extra) throws Exception {
        return FaultKit.trainerConfig(dir.resolve(name + ".properties"), applicationId, dir.resolve(name + "-state"), guarantee,
                topics, extra);
    }

    /** A trainer slot for {@code run --config config}. */
    TrainerSlot trainer(Path config) {
        return new TrainerSlot(label, dir, bootstrap, config, partitions);
    }

    /** {@code n} thresholds, one drawn uniformly from each of n equal slices of [10 %, 85 %] of {@code total}. */
    long[] thresholds(long total, int n) {
        long[] t = new long[n];
        double width = 0.75 / n;
        for (int i = 0; i < n; i++) {
            t[i] = (long) (total * (0.10 + width * (i + random.nextDouble())));
        }
        return t;
    }

    /** Sends the workload's specs, waits until every model exists, and starts the paced sample stream. */
    Workload.Sender startTraining(double rate, Duration deliveryTimeout) {
        work.sendSpecs(client, topics);
        FaultKit.awaitCreated(bootstrap, topics, work.models().keySet(), Duration.ofSeconds(60));
        return work.startSending(client, topics, rate, deliveryTimeout);
    }

    /** As {@link #startTraining}, but the samples go as JSON lines through kcat with its default partitioner. */
    Workload.Sender startTrainingWithKcat(String kcat, double rate) {
        work.sendSpecs(client, topics);
        FaultKit.awaitCreated(bootstrap, topics, work.models().keySet(), Duration.ofSeconds(60));
        return work.startSendingWithKcat(kcat, bootstrap, topics, rate);
    }

    /** What to do when committed progress passes threshold number {@code index} (0-based). */
    @FunctionalInterface
    interface Hit {
        void at(int index, FaultKit.Progress progress) throws Exception;
    }

    /**
     * Follows the committed metrics and runs {@code hit} once per threshold, a random part of a
     * commit cycle (0 to 150 ms) after the count passed it; {@code eachPoll} runs between polls.
     *
     * @throws AssertionError if the thresholds are not all passed within {@code timeout}
     */
    void onThresholds(long[] thresholds, Duration timeout, Runnable eachPoll, Hit hit) throws Exception {
        try (FaultKit.Progress progress = new FaultKit.Progress(bootstrap, topics.metrics())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int done = 0;
            while (done < thresholds.length) {
                progress.poll(Duration.ofMillis(50));
                eachPoll.run();
                if (progress.count() >= thresholds[done]) {
                    Thread.sleep(random.nextInt(150));
                    hit.at(done, progress);
                    done++;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + done + " of " + thresholds.length + " hits in " + timeout.toSeconds()
                            + " s; committed metrics " + progress.count());
                }
            }
        }
    }

    /** Waits until the trainer's group has consumed every sample sent. */
    void awaitDrained(long total, Duration timeout, Runnable eachPoll) throws Exception {
        FaultKit.awaitDrained(bootstrap, applicationId, topics.samples(), total, timeout, eachPoll);
    }

    /** Prints the ledger's summary line with {@code details}, the seed and the time taken, and any problems. */
    void print(Ledger.Report r, String details) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(r.summary(label, String.format(Locale.ROOT, "%s seed=%d time=%.0fs", details, seed, seconds)));
        if (!r.problems().isEmpty()) {
            System.out.println(label + ": problems:\n" + r.describeProblems(12));
        }
    }

    /** Prints a progress line of the scenario, prefixed with its label. */
    void log(String format, Object... args) {
        System.out.println(label + ": " + String.format(Locale.ROOT, format, args));
    }

    /**
     * Every exactly-once invariant: each sample applied once with one metric, nothing missing or
     * duplicated, no dead letter, and {@code models} models bit-for-bit the uninterrupted run's.
     */
    static void assertExactlyOnce(Ledger.Report r, int models) {
        assertTrue(r.exactlyOnce(), "exactly-once invariants violated:\n" + r.describeProblems(20));
        assertEquals(r.sent(), r.applied(), "every sample applied once");
        assertEquals(r.sent(), r.metrics(), "one metric per sample");
        assertEquals(0, r.missing());
        assertEquals(0, r.duplicates());
        assertEquals(0, r.deadLetters());
        assertEquals(models, r.modelsEqual(), "every model bit-for-bit the uninterrupted run's");
    }


    /** What {@link #killTrainerRepeatedly} saw. */
    record KillOutcome(Ledger.Report report, int kills, int selfExits, long misrouted, List<Double> startSeconds) {
    }

    /**
     * Starts the trainer, starts the samples, and kills the trainer with SIGKILL {@code kills} times
     * as committed progress passes seeded thresholds, restarting it at once each time; then drains,
     * stops it cleanly and reads the ledger.
     */
    KillOutcome killTrainerRepeatedly(TrainerSlot trainer, int kills, java.util.function.Function<FaultScenario, Workload.Sender> samples,
                                      String details) throws Exception {
        long total = work.totalSamples();
        long[] thresholds = thresholds(total, kills);
        log("seed=%d models=%s kill thresholds (committed metrics)=%s %s", seed, work.models().keySet(),
                java.util.Arrays.toString(thresholds), details);
        Workload.Sender sender = null;
        int[] done = {0};
        try {
            trainer.start();
            Workload.Sender live = samples.apply(this);
            sender = live;
            onThresholds(thresholds, Duration.ofSeconds(420), trainer::restartIfExited, (i, progress) -> {
                ChildJvm victim = trainer.current();
                victim.kill();
                done[0]++;
                log("kill -9 #%d of %s after %.1f s of uptime, at %d committed metrics (threshold %d; %d samples sent)",
                        i + 1, victim, victim.uptimeSeconds(), progress.poll(Duration.ZERO), thresholds[i], live.sent.get());
                trainer.start();
                List<Double> starts = trainer.startSeconds();
                log("%s reached RUNNING %.1f s after its launch", trainer.current(), starts.get(starts.size() - 1));
            });
            sender.awaitDone(Duration.ofSeconds(240));
            awaitDrained(total, Duration.ofSeconds(240), trainer::restartIfExited);
            // a clean stop; its exit code is GracefulShutdownIT's subject, here it is only reported
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report report = Ledger.verify(client, topics, work.specs(), work.samples());
            long misrouted = FaultKit.misroutedSamples(client, topics, partitions);
            print(report, String.format(Locale.ROOT, "kills=%d %s restarts=%d selfExits=%d finalStopExit=%d misrouted=%d startSeconds=%s",
                    done[0], details, trainer.starts() - 1, trainer.selfExits(), exit, misrouted, trainer.startSeconds()));
            return new KillOutcome(report, done[0], trainer.selfExits(), misrouted, trainer.startSeconds());
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
        }
    }
}
