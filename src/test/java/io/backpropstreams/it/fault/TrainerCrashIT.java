package io.backpropstreams.it.fault;

import io.backpropstreams.cli.Trainer;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the trainer ({@code run} in a child JVM) with SIGKILL at random points while it trains
 * 20,000 samples of 4 models, restarting it each time with the same application id and state
 * directory (so the new instance fences its predecessor's open transaction at once).
 *
 * <p>Under exactly-once v2 every invariant of the {@link Ledger} must hold: one metric per step,
 * weights steps that only grow, nothing aborted leaking through, no dead letter, and every model
 * bit-for-bit the model of an uninterrupted run. The same scenario under at-least-once is run for
 * comparison; it asserts nothing about duplicates and reports what went wrong.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TrainerCrashIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 4;
    static final int SAMPLES_PER_MODEL = 5_000;
    static final int KILLS = 3;
    /** Samples per second: the trainer is kept busy with a live stream, and restarts leave a backlog. */
    static final double RATE = 1_000;

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        System.out.println("fault-it: child JVM class path is " + ChildJvm.describeClassPath());
        kafka = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void exactlyOnceV2SurvivesRepeatedKills() throws Exception {
        Outcome o = killRepeatedly("trainer-kill", StreamsConfig.EXACTLY_ONCE_V2);
        Ledger.Report r = o.report;
        assertEquals(KILLS, o.kills, "kills");
        assertEquals(0, o.selfExits, "the trainer never exits on its own");
        assertTrue(r.exactlyOnce(), "exactly-once invariants violated:\n" + r.describeProblems(20));
        assertEquals(r.sent(), r.applied(), "every sample applied once");
        assertEquals(r.sent(), r.metrics(), "one metric per sample");
        assertEquals(0, r.missing());
        assertEquals(0, r.duplicates());
        assertEquals(0, r.deadLetters());
        assertEquals(r.models(), r.modelsEqual(), "every model bit-for-bit the uninterrupted run's");
    }

    @Test
    void atLeastOnceUnderTheSameKillsIsReported() throws Exception {
        Outcome o = killRepeatedly("trainer-kill-alos", StreamsConfig.AT_LEAST_ONCE);
        Ledger.Report r = o.report;
        assertEquals(KILLS, o.kills, "kills");
        // Nothing is asserted about duplicates or the final parameters: this run reports them.
        assertTrue(r.topicAsSent(), "the samples topic holds what was sent");
        assertEquals(0, r.deadLetters(), "no dead letters");
        String verdict = r.duplicates() + r.beyond() == 0 && r.modelsEqual() == r.models()
                ? "this run happened to show no duplicate"
                : r.duplicates() + " duplicate metrics, " + r.beyond() + " metrics beyond step N, "
                        + (r.models() - r.modelsEqual()) + " of " + r.models() + " models differ from the uninterrupted run";
        System.out.println("trainer-kill-alos: at_least_once verdict: " + verdict);
    }

    /** What one scenario saw. */
    record Outcome(Ledger.Report report, int kills, int selfExits) {
    }

    private Outcome killRepeatedly(String label, String guarantee) throws Exception {
        long seed = FaultKit.seed();
        Random random = new Random(seed);
        long t0 = System.nanoTime();
        Path dir = FaultKit.workDir(label);
        String bootstrap = kafka.bootstrapServers();
        Properties client = FaultKit.client(bootstrap);
        TopicNames topics = FaultKit.topics(label + "-");
        Topics.createIfMissing(client, Trainer.topicSpecs(topics, PARTITIONS), Duration.ofSeconds(30));
        Workload work = Workload.create(seed, PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        long total = work.totalSamples();
        String applicationId = label + "-" + seed;
        Path config = FaultKit.trainerConfig(dir.resolve("trainer.properties"), applicationId, dir.resolve("state"), guarantee,
                topics, Map.of());
        long[] thresholds = thresholds(random, total, KILLS);
        System.out.printf(Locale.ROOT, "%s: seed=%d guarantee=%s models=%s kill thresholds (committed metrics)=%s%n",
                label, seed, guarantee, work.models().keySet(), Arrays.toString(thresholds));

        TrainerSlot trainer = new TrainerSlot(label, dir, bootstrap, config, PARTITIONS);
        Workload.Sender sender = null;
        int kills = 0;
        try {
            trainer.start();
            work.sendSpecs(client, topics);
            FaultKit.awaitCreated(bootstrap, topics, work.models().keySet(), Duration.ofSeconds(60));
            sender = work.startSending(client, topics, RATE, Duration.ofSeconds(120));
            try (FaultKit.Progress progress = new FaultKit.Progress(bootstrap, topics.metrics())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                while (kills < thresholds.length) {
                    progress.poll(Duration.ofMillis(50));
                    trainer.restartIfExited();
                    if (progress.count() >= thresholds[kills]) {
                        // a random point of the commit cycle (100 ms) after the observed progress
                        Thread.sleep(random.nextInt(150));
                        ChildJvm victim = trainer.current();
                        victim.kill();
                        kills++;
                        System.out.printf(Locale.ROOT, "%s: kill -9 #%d of %s after %.1f s of uptime, at %d committed metrics "
                                + "(threshold %d; %d samples sent)%n", label, kills, victim, victim.uptimeSeconds(),
                                progress.poll(Duration.ZERO), thresholds[kills - 1], sender.sent.get());
                        trainer.start();
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("only " + kills + " kills in 240 s; committed metrics " + progress.count());
                    }
                }
            }
            sender.awaitDone(Duration.ofSeconds(120));
            FaultKit.awaitDrained(bootstrap, applicationId, topics.samples(), total, Duration.ofSeconds(120), trainer::restartIfExited);
            // a clean stop; its exit code is GracefulShutdownIT's subject, here it is only reported
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report report = Ledger.verify(client, topics, work.specs(), work.samples());
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println(report.summary(label, String.format(Locale.ROOT, "kills=%d guarantee=%s restarts=%d selfExits=%d finalStopExit=%d seed=%d time=%.0fs",
                    kills, guarantee, trainer.starts() - 1, trainer.selfExits(), exit, seed, seconds)));
            if (!report.problems().isEmpty()) {
                System.out.println(label + ": problems:\n" + report.describeProblems(12));
            }
            return new Outcome(report, kills, trainer.selfExits());
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
        }
    }

    /** {@code n} thresholds, one drawn uniformly from each of n equal slices of [10 %, 85 %] of {@code total}. */
    static long[] thresholds(Random random, long total, int n) {
        long[] t = new long[n];
        double lo = 0.10;
        double width = 0.75 / n;
        for (int i = 0; i < n; i++) {
            t[i] = (long) (total * (lo + width * (i + random.nextDouble())));
        }
        return t;
    }
}
