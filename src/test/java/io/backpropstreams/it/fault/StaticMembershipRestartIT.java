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
}
