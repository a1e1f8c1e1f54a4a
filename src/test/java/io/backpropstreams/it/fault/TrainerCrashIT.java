package io.backpropstreams.it.fault;

import io.backpropstreams.it.SharedBroker;
import io.backpropstreams.it.clients.ExternalClients;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

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

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @BeforeAll
    static void describeChildren() {
        System.out.println("fault-it: child JVM class path is " + ChildJvm.describeClassPath());
    }

    @Test
    void exactlyOnceV2SurvivesRepeatedKills() throws Exception {
        Outcome o = killRepeatedly("trainer-kill", StreamsConfig.EXACTLY_ONCE_V2);
        assertEquals(KILLS, o.kills, "kills");
        assertEquals(0, o.selfExits, "the trainer never exits on its own");
        FaultScenario.assertExactlyOnce(o.report, o.report.models());
    }

    /**
     * The same kills while the samples come from kcat with its default partitioner (CRC32 of the
     * key, not murmur2), so that most of them arrive on a partition other than their model's and
     * pass through the rerouting topic: exactly-once must hold across that hop too.
     */
    @Test
    void exactlyOnceV2SurvivesRepeatedKillsWithMisroutedKcatSamples() throws Exception {
        String kcat = ExternalClients.requireKcat();
        Outcome o = killRepeatedly("trainer-kill-kcat", StreamsConfig.EXACTLY_ONCE_V2,
                s -> s.startTrainingWithKcat(kcat, RATE));
        assertEquals(KILLS, o.kills, "kills");
        assertEquals(0, o.selfExits, "the trainer never exits on its own");
        FaultScenario.assertExactlyOnce(o.report, o.report.models());
        assertTrue(o.misrouted > 0, "some samples were on a partition other than their model's");
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
    record Outcome(Ledger.Report report, int kills, int selfExits, long misrouted) {
    }

    private Outcome killRepeatedly(String label, String guarantee) throws Exception {
        return killRepeatedly(label, guarantee, s -> s.startTraining(RATE, Duration.ofSeconds(120)));
    }

    private Outcome killRepeatedly(String label, String guarantee, Function<FaultScenario, Workload.Sender> startSamples)
            throws Exception {
        FaultScenario s = FaultScenario.withOwnTopics(label, KAFKA.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL)
                .createTopics();
        long total = s.work.totalSamples();
        Path config = s.trainerConfig("trainer", guarantee, Map.of());
        long[] thresholds = s.thresholds(total, KILLS);
        s.log("seed=%d guarantee=%s models=%s kill thresholds (committed metrics)=%s", s.seed, guarantee,
                s.work.models().keySet(), Arrays.toString(thresholds));
        TrainerSlot trainer = s.trainer(config);
        Workload.Sender sender = null;
        int[] kills = {0};
        try {
            trainer.start();
            Workload.Sender live = startSamples.apply(s);
            sender = live;
            s.onThresholds(thresholds, Duration.ofSeconds(240), trainer::restartIfExited, (i, progress) -> {
                ChildJvm victim = trainer.current();
                victim.kill();
                kills[0]++;
                s.log("kill -9 #%d of %s after %.1f s of uptime, at %d committed metrics (threshold %d; %d samples sent)",
                        i + 1, victim, victim.uptimeSeconds(), progress.poll(Duration.ZERO), thresholds[i], live.sent.get());
                trainer.start();
            });
            sender.awaitDone(Duration.ofSeconds(120));
            s.awaitDrained(total, Duration.ofSeconds(120), trainer::restartIfExited);
            // a clean stop; its exit code is GracefulShutdownIT's subject, here it is only reported
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report report = Ledger.verify(s.client, s.topics, s.work.specs(), s.work.samples());
            s.print(report, String.format(java.util.Locale.ROOT, "kills=%d guarantee=%s restarts=%d selfExits=%d finalStopExit=%d",
                    kills[0], guarantee, trainer.starts() - 1, trainer.selfExits(), exit));
            long misrouted = FaultKit.misroutedSamples(s.client, s.topics, s.partitions);
            s.log("%d of %d samples were on a partition other than their model's (rerouted)", misrouted, total);
            return new Outcome(report, kills[0], trainer.selfExits(), misrouted);
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
        }
    }
}
