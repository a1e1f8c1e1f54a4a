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
        FaultScenario.KillOutcome o = killRepeatedly("trainer-kill", StreamsConfig.EXACTLY_ONCE_V2);
        assertEquals(KILLS, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "the trainer never exits on its own");
        FaultScenario.assertExactlyOnce(o.report(), o.report().models());
    }

    /**
     * The same kills while the samples come from kcat with its default partitioner (CRC32 of the
     * key, not murmur2), so that most of them arrive on a partition other than their model's and
     * pass through the rerouting topic: exactly-once must hold across that hop too.
     */
    @Test
    void exactlyOnceV2SurvivesRepeatedKillsWithMisroutedKcatSamples() throws Exception {
        String kcat = ExternalClients.requireKcat();
        FaultScenario.KillOutcome o = killRepeatedly("trainer-kill-kcat", StreamsConfig.EXACTLY_ONCE_V2,
                s -> s.startTrainingWithKcat(kcat, RATE));
        assertEquals(KILLS, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "the trainer never exits on its own");
        FaultScenario.assertExactlyOnce(o.report(), o.report().models());
        assertTrue(o.misrouted() > 0, "some samples were on a partition other than their model's");
    }

    /**
     * The same kills while the models are a softmax classifier under Adam with a schedule and
     * standardised inputs, AdamW with clipping, RMSprop and Nesterov: their moment vectors, update
     * counts and input statistics must survive every restore, or the models would drift away from
     * the uninterrupted run.
     */
    @Test
    void exactlyOnceV2SurvivesRepeatedKillsOfAdaptiveOptimizersAndASoftmaxClassifier() throws Exception {
        FaultScenario s = FaultScenario.withOwnTopics("trainer-kill-adaptive", KAFKA.bootstrapServers(), PARTITIONS, MODELS,
                SAMPLES_PER_MODEL, Workload.Mix.ADAPTIVE).createTopics();
        Path config = s.trainerConfig("trainer", StreamsConfig.EXACTLY_ONCE_V2, Map.of());
        FaultScenario.KillOutcome o = s.killTrainerRepeatedly(s.trainer(config), KILLS,
                sc -> sc.startTraining(RATE, Duration.ofSeconds(120)), "adaptive optimizers");
        assertEquals(KILLS, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "the trainer never exits on its own");
        FaultScenario.assertExactlyOnce(o.report(), o.report().models());
    }

    @Test
    void atLeastOnceUnderTheSameKillsIsReported() throws Exception {
        FaultScenario.KillOutcome o = killRepeatedly("trainer-kill-alos", StreamsConfig.AT_LEAST_ONCE);
        Ledger.Report r = o.report();
        assertEquals(KILLS, o.kills(), "kills");
        // Nothing is asserted about duplicates or the final parameters: this run reports them.
        assertTrue(r.topicAsSent(), "the samples topic holds what was sent");
        assertEquals(0, r.deadLetters(), "no dead letters");
        String verdict = r.duplicates() + r.beyond() == 0 && r.modelsEqual() == r.models()
                ? "this run happened to show no duplicate"
                : r.duplicates() + " duplicate metrics, " + r.beyond() + " metrics beyond step N, "
                        + (r.models() - r.modelsEqual()) + " of " + r.models() + " models differ from the uninterrupted run";
        System.out.println("trainer-kill-alos: at_least_once verdict: " + verdict);
    }

    private FaultScenario.KillOutcome killRepeatedly(String label, String guarantee) throws Exception {
        return killRepeatedly(label, guarantee, s -> s.startTraining(RATE, Duration.ofSeconds(120)));
    }

    private FaultScenario.KillOutcome killRepeatedly(String label, String guarantee,
                                                     Function<FaultScenario, Workload.Sender> startSamples) throws Exception {
        FaultScenario s = FaultScenario.withOwnTopics(label, KAFKA.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL)
                .createTopics();
        Path config = s.trainerConfig("trainer", guarantee, Map.of());
        return s.killTrainerRepeatedly(s.trainer(config), KILLS, startSamples, "guarantee=" + guarantee);
    }
}
