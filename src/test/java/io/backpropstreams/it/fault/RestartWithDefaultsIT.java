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
 * What a user meets after a crash: the README's {@code run} command, with every default
 * ({@link ReadmeRun}), killed with SIGKILL mid-stream three times and restarted each time with
 * the same command. The dead instance keeps its partitions until its session expires
 * ({@code session.timeout.ms}, 45 s by default), which is longer than {@code --timeout} (30 s):
 * the restart must wait for them, say what it waits for, and never give up. Exactly-once must hold
 * bit for bit. {@link StaticMembershipRestartIT} is the fast variant, with {@code --instance-id}.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class RestartWithDefaultsIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 4;
    static final int SAMPLES_PER_MODEL = 3_000;
    static final int KILLS = 3;
    /** Slow enough that samples still flow while the restarts wait for the dead member's session. */
    static final double RATE = 100;
    static final double SESSION_TIMEOUT_S = 45;

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @Test
    void theReadmeRunCommandRecoversFromRepeatedKillsWithItsDefaults() throws Exception {
        FaultScenario s = FaultScenario.withDefaults("restart-defaults", KAFKA.bootstrapServers(), PARTITIONS, MODELS,
                SAMPLES_PER_MODEL);
        TrainerSlot trainer = new TrainerSlot(s.label, ReadmeRun.launcher(s.dir, s.bootstrap, List.of()));
        FaultScenario.KillOutcome o = s.killTrainerRepeatedly(trainer, KILLS, sc -> sc.startTraining(RATE, Duration.ofSeconds(120)),
                "command='run --http-port P' (README, all defaults)");
        assertEquals(KILLS, o.kills(), "kills");
        assertEquals(0, o.selfExits(), "no restart exited on its own: waiting for partitions is not an error");
        assertEquals(KILLS + 1, o.startSeconds().size(), "every start reached RUNNING");
        FaultScenario.assertExactlyOnce(o.report(), MODELS);
        // a restart that had to wait for the dead member said so, naming the setting it waits on
        String restartOutput = TrainerSlotOutput.of(s.dir, s.label, 2);
        assertTrue(restartOutput.contains("waiting for the group 'backprop-streams' to assign partitions")
                        && restartOutput.contains("holds its partitions until session.timeout.ms = 45 s has passed"),
                "the first restart says what it waits for:\n" + restartOutput);
    }
}
