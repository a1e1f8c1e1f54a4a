package io.backpropstreams.it.fault;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.it.SharedBroker;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.schema.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @Test
    void sigtermDuringAReplayStopsCleanlyAndLosesNothing() throws Exception {
        FaultScenario s = FaultScenario.of("graceful-stop", KAFKA.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL)
                .createTopics();
        long total = s.work.totalSamples() + LECTURE_TIMES;
        Path config = s.trainerConfig();
        // the built-in lecture model (created by its first sample) plus the workload's models
        Map<String, ModelSpec> specs = new LinkedHashMap<>(s.work.specs());
        specs.put(Lecture.MODEL_ID, ModelSpecs.lecture());
        Map<String, List<SampleCodec.Vectors>> sent = new LinkedHashMap<>(s.work.samples());
        sent.put(Lecture.MODEL_ID, Collections.nCopies(LECTURE_TIMES, new SampleCodec.Vectors(Lecture.INPUT, Lecture.TARGET)));
        long[] thresholds = new long[STOPS];
        for (int i = 0; i < STOPS; i++) {
            // within the first ~60 % of the stream, while the replay still runs
            thresholds[i] = (long) (total * (0.10 + 0.25 * (i + s.random.nextDouble())));
        }
        s.log("seed=%d models=%s stop thresholds (committed metrics)=%s", s.seed, specs.keySet(), Arrays.toString(thresholds));

        TrainerSlot trainer = s.trainer(config);
        ChildJvm replay = null;
        Workload.Sender sender = null;
        List<String> stops = new ArrayList<>();
        try {
            trainer.start();
            s.work.sendSpecs(s.client, s.topics);
            FaultKit.awaitCreated(s.bootstrap, s.topics, s.work.models().keySet(), Duration.ofSeconds(60));
            ChildJvm lectureReplay = ChildJvm.start(s.label + "-replay", s.dir, List.of("replay", "--bootstrap-servers",
                    s.bootstrap, "--config", config.toString(), "--model", Lecture.MODEL_ID, "--times",
                    Integer.toString(LECTURE_TIMES), "--rate", Integer.toString(LECTURE_RATE), "--quiet"));
            replay = lectureReplay;
            sender = s.work.startSending(s.client, s.topics, RATE, Duration.ofSeconds(120));
            int[] replayRunningAtStops = {0};
            s.onThresholds(thresholds, Duration.ofSeconds(180),
                    () -> assertTrue(trainer.current().isAlive(), "the trainer runs until it is stopped\n"
                            + trainer.current().describeOutput()),
                    (i, progress) -> {
                        boolean replaying = lectureReplay.isAlive();
                        if (replaying) {
                            replayRunningAtStops[0]++;
                        }
                        ChildJvm stopped = trainer.current();
                        long s0 = System.nanoTime();
                        int exit = trainer.terminate(Duration.ofSeconds(60));
                        double took = (System.nanoTime() - s0) / 1e9;
                        String line = String.format(Locale.ROOT, "SIGTERM #%d of %s at %d committed metrics (replay %s): exit %d in %.1f s",
                                i + 1, stopped, progress.poll(Duration.ZERO), replaying ? "running" : "done", exit, took);
                        s.log("%s", line);
                        stops.add(line);
                        assertEquals(0, exit, "the trainer exits with 0 on SIGTERM\n" + stopped.describeOutput());
                        assertTrue(stopped.stdout().contains("Trainer stopped cleanly."), "it says it stopped cleanly\n"
                                + stopped.describeOutput());
                        trainer.start();
                    });
            assertEquals(STOPS, stops.size(), "stops");
            assertTrue(replayRunningAtStops[0] > 0, "at least one stop fell during the replay");
            assertTrue(replay.awaitExit(Duration.ofSeconds(120)), "the replay finishes\n" + replay.describeOutput());
            assertEquals(0, replay.exitCode(), "the replay succeeds\n" + replay.describeOutput());
            assertTrue(replay.stdout().contains("Replayed ") && replay.stdout().contains("'" + Lecture.MODEL_ID + "'"), replay.describeOutput());
            sender.awaitDone(Duration.ofSeconds(120));
            s.awaitDrained(total, Duration.ofSeconds(120),
                    () -> assertTrue(trainer.current().isAlive(), "the trainer keeps running\n" + trainer.current().describeOutput()));
            ChildJvm last = trainer.current();
            int exit = trainer.terminate(Duration.ofSeconds(60));
            assertEquals(0, exit, "the last trainer exits with 0 on SIGTERM\n" + last.describeOutput());
            Ledger.Report r = Ledger.verify(s.client, s.topics, specs, sent);
            s.print(r, String.format(Locale.ROOT, "sigterms=%d duringReplay=%d exitCodes=0", STOPS + 1, replayRunningAtStops[0]));
            FaultScenario.assertExactlyOnce(r, r.models());
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
