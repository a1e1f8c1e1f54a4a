package io.backpropstreams.it.fault;

import io.backpropstreams.cli.Trainer;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.streams.StreamsConfig;
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
 * Kills the Kafka broker itself ({@code broker --port P --data-dir DIR} in a child JVM) with SIGKILL
 * while the trainer ({@code run}, another child JVM) trains 20,000 samples of 4 models, and restarts
 * it on the same port and data directory. The trainer rides it out (Kafka Streams retries); should
 * it exit, it is restarted. Afterwards every exactly-once invariant of the {@link Ledger} holds.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BrokerCrashIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 4;
    static final int SAMPLES_PER_MODEL = 5_000;
    static final int BROKER_KILLS = 2;
    static final double RATE = 1_000;
    static final String LABEL = "broker-kill";

    @Test
    void theTrainerRidesOutBrokerCrashesExactlyOnce() throws Exception {
        System.out.println("fault-it: child JVM class path is " + ChildJvm.describeClassPath());
        long seed = FaultKit.seed();
        Random random = new Random(seed);
        long t0 = System.nanoTime();
        Path dir = FaultKit.workDir(LABEL);
        Path data = dir.resolve("kafka-data");
        int port = FaultKit.freePort();
        String bootstrap = "127.0.0.1:" + port;
        Properties client = FaultKit.client(bootstrap);
        TopicNames topics = TopicNames.DEFAULTS;
        Workload work = Workload.create(seed, PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        long total = work.totalSamples();
        String applicationId = LABEL + "-" + seed;
        Path config = FaultKit.trainerConfig(dir.resolve("trainer.properties"), applicationId, dir.resolve("state"),
                StreamsConfig.EXACTLY_ONCE_V2, topics, Map.of());
        long[] thresholds = TrainerCrashIT.thresholds(random, total, BROKER_KILLS);
        System.out.printf(Locale.ROOT, "%s: seed=%d port=%d models=%s kill thresholds (committed metrics)=%s%n",
                LABEL, seed, port, work.models().keySet(), Arrays.toString(thresholds));

        int brokerStarts = 1;
        ChildJvm broker = FaultKit.startBroker(LABEL + "-broker-1", dir, port, data);
        TrainerSlot trainer = new TrainerSlot(LABEL, dir, bootstrap, config, PARTITIONS);
        int kills = 0;
        Workload.Sender sender = null;
        double[] downtime = new double[BROKER_KILLS];
        try {
            Topics.createIfMissing(client, Trainer.topicSpecs(topics, PARTITIONS), Duration.ofSeconds(30));
            trainer.start();
            work.sendSpecs(client, topics);
            FaultKit.awaitCreated(bootstrap, topics, work.models().keySet(), Duration.ofSeconds(60));
            // the producer retries through the broker's downtime: idempotent, so each sample lands once, in order
            sender = work.startSending(client, topics, RATE, Duration.ofSeconds(180));
            try (FaultKit.Progress progress = new FaultKit.Progress(bootstrap, topics.metrics())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (kills < thresholds.length) {
                    progress.poll(Duration.ofMillis(50));
                    trainer.restartIfExited();
                    if (progress.count() >= thresholds[kills]) {
                        Thread.sleep(random.nextInt(150));
                        long killedAt = System.nanoTime();
                        broker.kill();
                        kills++;
                        System.out.printf(Locale.ROOT, "%s: kill -9 #%d of %s after %.1f s of uptime, at %d committed metrics "
                                + "(threshold %d; %d samples sent)%n", LABEL, kills, broker, broker.uptimeSeconds(),
                                progress.count(), thresholds[kills - 1], sender.sent.get());
                        broker = FaultKit.startBroker(LABEL + "-broker-" + (++brokerStarts), dir, port, data);
                        downtime[kills - 1] = (System.nanoTime() - killedAt) / 1e9;
                        System.out.printf(Locale.ROOT, "%s: broker back on port %d after %.1f s%n", LABEL, port, downtime[kills - 1]);
                        // it must make progress again before the next kill counts
                        long before = progress.count();
                        long stall = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                        while (progress.poll(Duration.ofMillis(100)) == before && !sender.isDone()) {
                            trainer.restartIfExited();
                            if (System.nanoTime() > stall) {
                                throw new AssertionError("no committed progress within 180 s of the broker restart (at " + before
                                        + " metrics)\n" + trainer.current().describeOutput());
                            }
                        }
                        System.out.printf(Locale.ROOT, "%s: committed metrics moving again %.1f s after the kill%n",
                                LABEL, (System.nanoTime() - killedAt) / 1e9);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("only " + kills + " broker kills in 300 s; committed metrics " + progress.count());
                    }
                }
            }
            sender.awaitDone(Duration.ofSeconds(180));
            FaultKit.awaitDrained(bootstrap, applicationId, topics.samples(), total, Duration.ofSeconds(180), trainer::restartIfExited);
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report r = Ledger.verify(client, topics, work.specs(), work.samples());
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println(r.summary(LABEL, String.format(Locale.ROOT,
                    "kills=%d brokerDowntime=%s trainerStarts=%d trainerSelfExits=%d finalStopExit=%d seed=%d time=%.0fs",
                    kills, Arrays.toString(Arrays.stream(downtime).map(d -> Math.round(d * 10) / 10.0).toArray()),
                    trainer.starts(), trainer.selfExits(), exit, seed, seconds)));
            if (!r.problems().isEmpty()) {
                System.out.println(LABEL + ": problems:\n" + r.describeProblems(12));
            }
            assertEquals(BROKER_KILLS, kills, "broker kills");
            assertTrue(r.exactlyOnce(), "exactly-once invariants violated:\n" + r.describeProblems(20));
            assertEquals(r.sent(), r.applied(), "every sample applied once");
            assertEquals(r.sent(), r.metrics(), "one metric per sample");
            assertEquals(0, r.missing());
            assertEquals(0, r.duplicates());
            assertEquals(0, r.deadLetters());
            assertEquals(r.models(), r.modelsEqual(), "every model bit-for-bit the uninterrupted run's");
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
            if (broker.isAlive()) {
                int exit = broker.terminate(Duration.ofSeconds(60));
                System.out.println(LABEL + ": broker stopped with exit code " + exit);
            }
        }
    }
}
