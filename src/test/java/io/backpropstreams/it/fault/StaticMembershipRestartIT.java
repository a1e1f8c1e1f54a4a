package io.backpropstreams.it.fault;

import io.backpropstreams.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RestartWithDefaultsIT} with static membership: the README's {@code run} command plus
 * {@code --instance-id trainer-a}, killed with SIGKILL three times. The restarted instance rejoins
 * under the same {@code group.instance.id}, and the coordinator hands it the dead member's
 * partitions at once, without waiting for its session to expire and without a rebalance.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StaticMembershipRestartIT {

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @Test
    void aStaticMemberTakesItsPartitionsBackWithoutWaitingForItsSession() throws Exception {
        FaultScenario s = FaultScenario.withDefaults("restart-static", KAFKA.bootstrapServers(), RestartWithDefaultsIT.PARTITIONS,
                RestartWithDefaultsIT.MODELS, RestartWithDefaultsIT.SAMPLES_PER_MODEL);
        TrainerSlot trainer = new TrainerSlot(s.label, ReadmeRun.launcher(s.dir, s.bootstrap, List.of("--instance-id", "trainer-a")));
        FaultScenario.KillOutcome o = s.killTrainerRepeatedly(trainer, RestartWithDefaultsIT.KILLS,
                sc -> sc.startTraining(RestartWithDefaultsIT.RATE * 3, Duration.ofSeconds(120)),
                "command='run --http-port P --instance-id trainer-a'");
        assertEquals(RestartWithDefaultsIT.KILLS, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "no restart exited on its own");
        FaultScenario.assertExactlyOnce(o.report(), RestartWithDefaultsIT.MODELS);
        List<Double> restarts = o.startSeconds().subList(1, o.startSeconds().size());
        for (double seconds : restarts) {
            assertTrue(seconds < RestartWithDefaultsIT.SESSION_TIMEOUT_S,
                    "each restart reached RUNNING in less than session.timeout.ms (45 s): " + restarts + " s");
        }
    }

    /**
     * The same with Kafka Streams' new rebalance protocol ({@code group.protocol=streams}, KIP-1071),
     * which Kafka 4.4 brokers serve. There a static member killed without leaving keeps its
     * instance id until its session times out ({@code group.streams.session.timeout.ms}, 45 s), and
     * the broker refuses a new member with that id meanwhile (UNRELEASED_INSTANCE_ID), so static
     * membership does not shorten a restart after a crash. {@code run} must not fail on that: it
     * says what it waits for and joins once the id is free, and training stays exactly-once. Only
     * the protocol, the application id and the topic names differ from the README's defaults, so
     * that this group does not meet the test above on the shared broker.
     */
    @Test
    void underTheStreamsProtocolARestartedStaticMemberWaitsForItsIdAndLosesNothing() throws Exception {
        FaultScenario s = FaultScenario.withOwnTopics("restart-static-streams", KAFKA.bootstrapServers(),
                RestartWithDefaultsIT.PARTITIONS, RestartWithDefaultsIT.MODELS, RestartWithDefaultsIT.SAMPLES_PER_MODEL);
        java.nio.file.Path config = s.dir.resolve("streams-protocol.properties");
        java.nio.file.Files.writeString(config, String.join("\n",
                "application.id=" + s.applicationId,
                "group.protocol=streams",
                "bps.topic.samples=" + s.topics.samples(),
                "bps.topic.models=" + s.topics.models(),
                "bps.topic.weights=" + s.topics.weights(),
                "bps.topic.metrics=" + s.topics.metrics(),
                "bps.topic.dead-letters=" + s.topics.deadLetters()) + "\n");
        TrainerSlot trainer = new TrainerSlot(s.label, ReadmeRun.launcher(s.dir, s.bootstrap,
                List.of("--config", config.toString(), "--instance-id", "trainer-b")));
        int kills = 2;
        FaultScenario.KillOutcome o = s.killTrainerRepeatedly(trainer, kills,
                sc -> sc.startTraining(RestartWithDefaultsIT.RATE * 3, Duration.ofSeconds(180)),
                "command='run --http-port P --config streams-protocol.properties --instance-id trainer-b'");
        assertEquals(kills, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "no restart exited on its own");
        FaultScenario.assertExactlyOnce(o.report(), RestartWithDefaultsIT.MODELS);
        for (int i = 2; i <= kills + 1; i++) {
            String out = java.nio.file.Files.readString(s.dir.resolve(s.label + "-trainer-" + i + ".out"));
            assertTrue(out.contains("to release instance id 'trainer-b'"), "restart " + i + " said what it waits for:\n" + out);
        }
    }
}
