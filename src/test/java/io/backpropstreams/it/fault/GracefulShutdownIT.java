package io.backpropstreams.it.fault;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.cli.Trainer;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stops the trainer ({@code run} in a child JVM) with SIGTERM while a {@code replay} (another child
 * JVM, the lecture sample at a fixed rate) and a stream of samples for 3 more models are running.
 * Each time it must exit with code 0 after printing "Trainer stopped cleanly."; it is then
 * restarted. In the end nothing is lost or duplicated: every exactly-once invariant of the
 * {@link Ledger} holds, and since every stop was clean no transaction was aborted.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class GracefulShutdownIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 3;
    static final int SAMPLES_PER_MODEL = 5_000;
    static final int LECTURE_TIMES = 6_000;
    /** The replay's rate: it lasts about 20 s, so that the stops fall during it. */
    static final int LECTURE_RATE = 300;
    static final double RATE = 750;
    static final int STOPS = 2;
    static final String LABEL = "graceful-stop";

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void sigtermDuringAReplayStopsCleanlyAndLosesNothing() throws Exception {
        long seed = FaultKit.seed();
        Random random = new Random(seed);
        long t0 = System.nanoTime();
        Path dir = FaultKit.workDir(LABEL);
        String bootstrap = kafka.bootstrapServers();
        Properties client = FaultKit.client(bootstrap);
        TopicNames topics = TopicNames.DEFAULTS;
        Topics.createIfMissing(client, Trainer.topicSpecs(topics, PARTITIONS), Duration.ofSeconds(30));
        Workload work = Workload.create(seed, PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        long total = work.totalSamples() + LECTURE_TIMES;
        String applicationId = LABEL + "-" + seed;
        Path config = FaultKit.trainerConfig(dir.resolve("trainer.properties"), applicationId, dir.resolve("state"),
                StreamsConfig.EXACTLY_ONCE_V2, topics, Map.of());
        // the built-in lecture model (created by its first sample) plus the workload's models
        Map<String, ModelSpec> specs = new LinkedHashMap<>(work.specs());
        specs.put(Lecture.MODEL_ID, ModelSpecs.lecture());
        Map<String, List<SampleCodec.Vectors>> sent = new LinkedHashMap<>(work.samples());
        sent.put(Lecture.MODEL_ID, Collections.nCopies(LECTURE_TIMES, new SampleCodec.Vectors(Lecture.INPUT, Lecture.TARGET)));
        long[] thresholds = new long[STOPS];
        for (int i = 0; i < STOPS; i++) {
            // within the first ~60 % of the stream, while the replay still runs
            thresholds[i] = (long) (total * (0.10 + 0.25 * (i + random.nextDouble())));
        }
        System.out.printf(Locale.ROOT, "%s: seed=%d models=%s stop thresholds (committed metrics)=%s%n",
                LABEL, seed, specs.keySet(), Arrays.toString(thresholds));

        TrainerSlot trainer = new TrainerSlot(LABEL, dir, bootstrap, config, PARTITIONS);
        ChildJvm replay = null;
        Workload.Sender sender = null;
        List<String> stops = new ArrayList<>();
        try {
            trainer.start();
            work.sendSpecs(client, topics);
            FaultKit.awaitCreated(bootstrap, topics, work.models().keySet(), Duration.ofSeconds(60));
            replay = ChildJvm.start(LABEL + "-replay", dir, List.of("replay", "--bootstrap-servers", bootstrap, "--config",
                    config.toString(), "--model", Lecture.MODEL_ID, "--times", Integer.toString(LECTURE_TIMES),
                    "--rate", Integer.toString(LECTURE_RATE), "--quiet"));
            sender = work.startSending(client, topics, RATE, Duration.ofSeconds(120));
            int replayRunningAtStops = 0;
            try (FaultKit.Progress progress = new FaultKit.Progress(bootstrap, topics.metrics())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (stops.size() < STOPS) {
                    progress.poll(Duration.ofMillis(50));
                    assertTrue(trainer.current().isAlive(), "the trainer runs until it is stopped\n" + trainer.current().describeOutput());
                    if (progress.count() >= thresholds[stops.size()]) {
                        Thread.sleep(random.nextInt(150));
                        boolean replaying = replay.isAlive();
                        if (replaying) {
                            replayRunningAtStops++;
                        }
                        ChildJvm stopped = trainer.current();
                        long s0 = System.nanoTime();
                        int exit = trainer.terminate(Duration.ofSeconds(60));
                        double took = (System.nanoTime() - s0) / 1e9;
                        String out = stopped.stdout();
                        String line = String.format(Locale.ROOT, "SIGTERM #%d of %s at %d committed metrics (replay %s): exit %d in %.1f s",
                                stops.size() + 1, stopped, progress.poll(Duration.ZERO), replaying ? "running" : "done", exit, took);
                        System.out.println(LABEL + ": " + line);
                        stops.add(line);
                        assertEquals(0, exit, "the trainer exits with 0 on SIGTERM\n" + stopped.describeOutput());
                        assertTrue(out.contains("Trainer stopped cleanly."), "it says it stopped cleanly\n" + stopped.describeOutput());
                        trainer.start();
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("only " + stops.size() + " stops in 180 s; committed metrics " + progress.count());
                    }
                }
            }
            assertTrue(replayRunningAtStops > 0, "at least one stop fell during the replay");
            assertTrue(replay.awaitExit(Duration.ofSeconds(120)), "the replay finishes\n" + replay.describeOutput());
            assertEquals(0, replay.exitCode(), "the replay succeeds\n" + replay.describeOutput());
            assertTrue(replay.stdout().contains("Replayed ") && replay.stdout().contains("'" + Lecture.MODEL_ID + "'"), replay.describeOutput());
            sender.awaitDone(Duration.ofSeconds(120));
            FaultKit.awaitDrained(bootstrap, applicationId, topics.samples(), total, Duration.ofSeconds(120),
                    () -> assertTrue(trainer.current().isAlive(), "the trainer keeps running\n" + trainer.current().describeOutput()));
            ChildJvm last = trainer.current();
            int exit = trainer.terminate(Duration.ofSeconds(60));
            assertEquals(0, exit, "the last trainer exits with 0 on SIGTERM\n" + last.describeOutput());
            Ledger.Report r = Ledger.verify(client, topics, specs, sent);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println(r.summary(LABEL, String.format(Locale.ROOT,
                    "sigterms=%d duringReplay=%d exitCodes=0 seed=%d time=%.0fs", STOPS + 1, replayRunningAtStops, seed, seconds)));
            if (!r.problems().isEmpty()) {
                System.out.println(LABEL + ": problems:\n" + r.describeProblems(12));
            }
            assertTrue(r.exactlyOnce(), "exactly-once invariants violated:\n" + r.describeProblems(20));
            assertEquals(r.sent(), r.applied(), "every sample applied once");
            assertEquals(r.sent(), r.metrics(), "one metric per sample");
            assertEquals(0, r.missing());
            assertEquals(0, r.duplicates());
            assertEquals(0, r.deadLetters());
            assertEquals(r.models(), r.modelsEqual(), "every model bit-for-bit the uninterrupted run's");
            assertEquals(0, r.aborted(), "clean stops abort no transaction");
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
            if (replay != null) {
                replay.close();
            }
        }
    }
}
