package io.backpropstreams.it.fault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The README's {@code run} command, exactly as a user types it: {@code BPS_BOOTSTRAP_SERVERS}
 * exported, then {@code run --http-port P}, plus any options a test is about (such as
 * {@code --instance-id}). No {@code --config}, no timeout changed: the default application id,
 * topics, {@code session.timeout.ms} (45 s) and {@code --timeout} (30 s). Only the HTTP port is a
 * free one instead of 8080, and {@code user.home} points into the test's directory, so that the
 * default state directory {@code ~/.backprop-streams/state} is the test's own.
 */
final class ReadmeRun {

    /** How long "Trainer running" may take: a restart after kill -9 waits for the dead member's session (45 s). */
    static final Duration RUNNING_WITHIN = Duration.ofSeconds(120);

    private ReadmeRun() {
    }

    /** A {@link TrainerSlot.Launcher} for {@code run --http-port <free> extraOptions…} against {@code bootstrap}. */
    static TrainerSlot.Launcher launcher(Path dir, String bootstrap, List<String> extraOptions) {
        return name -> {
            List<String> args = new ArrayList<>(List.of("run", "--http-port", Integer.toString(FaultKit.freePort())));
            args.addAll(extraOptions);
            ChildJvm child = ChildJvm.start(name, dir, args, Map.of("BPS_BOOTSTRAP_SERVERS", bootstrap),
                    List.of("-Duser.home=" + dir.resolve("home")));
            return FaultKit.awaitRunning(child, RUNNING_WITHIN);
        };
    }
}
