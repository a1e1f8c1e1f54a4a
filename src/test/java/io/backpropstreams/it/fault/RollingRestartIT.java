package io.backpropstreams.it.fault;

import io.backpropstreams.it.SharedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart as an operator does it: two instances of the README's {@code run} (each with
 * its own {@code --state-dir}, every other setting a default) share 8 models over 4 partitions
 * while samples flow. One gets SIGTERM and is started again; once both hold partitions again, the
 * other. Training must never pause for more than {@link #LONGEST_PAUSE}, and the Ledger must find
 * every step once, bit for bit.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RollingRestartIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 8;
    static final int SAMPLES_PER_MODEL = 2_500;
    static final double RATE = 250;
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @Test
    void restartingEachInstanceInTurnNeitherPausesTrainingNorLosesAStep() throws Exception {
        FaultScenario s = FaultScenario.withDefaults("rolling", KAFKA.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        long total = s.work.totalSamples();
        List<TrainerSlot> trainers = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            trainers.add(new TrainerSlot(s.label + "-" + name, ReadmeRun.launcher(s.dir, s.bootstrap,
                    List.of("--state-dir", s.dir.resolve("state-" + name).toString()))));
        }
        Workload.Sender sender = null;
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicLong longestPauseMs = new AtomicLong();
        Thread pauses = null;
        try (Admin admin = FaultKit.admin(s.bootstrap)) {
            for (TrainerSlot t : trainers) {
                t.start();
            }
            s.log("before: %s", ScaleOutIT.awaitBothAssigned(admin, s.applicationId, s.topics.samples()));
            Workload.Sender live = s.startTraining(RATE, Duration.ofSeconds(120));
            sender = live;
            pauses = watchPauses(s, live, total, watching, longestPauseMs);
            try (FaultKit.Progress progress = new FaultKit.Progress(s.bootstrap, s.topics.metrics())) {
                for (int i = 0; i < trainers.size(); i++) {
                    long threshold = total * (i + 1) / 4;
                    FaultKit.await("committed metrics to pass " + threshold, Duration.ofSeconds(120),
                            () -> progress.poll(Duration.ofMillis(100)) >= threshold);
                    TrainerSlot t = trainers.get(i);
                    long t0 = System.nanoTime();
                    int exit = t.terminate(Duration.ofSeconds(60));
                    assertEquals(0, exit, t + " stops cleanly on SIGTERM");
                    t.start();
                    s.log("%s: SIGTERM (exit %d) and restart, RUNNING again %.1f s later; assignment %s", t, exit,
                            (System.nanoTime() - t0) / 1e9, ScaleOutIT.awaitBothAssigned(admin, s.applicationId, s.topics.samples()));
                }
            }
            sender.awaitDone(Duration.ofSeconds(180));
            s.awaitDrained(total, Duration.ofSeconds(180), () -> { });
            watching.set(false);
            pauses.join(10_000);
            for (TrainerSlot t : trainers) {
                t.terminate(Duration.ofSeconds(60));
            }
            Ledger.Report r = Ledger.verify(s.client, s.topics, s.work.specs(), s.work.samples());
            s.print(r, String.format(Locale.ROOT, "rolling restarts=2 longestPause=%.1fs", longestPauseMs.get() / 1000.0));
            FaultScenario.assertExactlyOnce(r, MODELS);
            assertTrue(longestPauseMs.get() <= LONGEST_PAUSE.toMillis(),
                    "training paused for " + longestPauseMs.get() + " ms at most " + LONGEST_PAUSE.toMillis() + " ms allowed");
        } finally {
            watching.set(false);
            if (sender != null) {
                sender.interrupt();
            }
            for (TrainerSlot t : trainers) {
                t.close();
            }
        }
    }

    /**
     * Follows committed metrics on a thread of its own and records the longest time without a new
     * one while samples are still due (sent but not yet all trained).
     */
    private static Thread watchPauses(FaultScenario s, Workload.Sender sender, long total, AtomicBoolean watching,
                                      AtomicLong longestPauseMs) {
        Thread t = new Thread(() -> {
            try (FaultKit.Progress progress = new FaultKit.Progress(s.bootstrap, s.topics.metrics())) {
                long last = progress.poll(Duration.ZERO);
                long lastChange = System.nanoTime();
                while (watching.get() && last < total) {
                    long now = progress.poll(Duration.ofMillis(50));
                    long at = System.nanoTime();
                    if (now != last) {
                        last = now;
                        lastChange = at;
                    } else if (sender.sent.get() > now) {
                        longestPauseMs.accumulateAndGet((at - lastChange) / 1_000_000, Math::max);
                    } else {
                        lastChange = at;
                    }
                }
            }
        }, "pause-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
