package io.backpropstreams.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM and SIGINT as a stop request for a long-running command, instead of the JVM's own
 * shutdown. When the JVM itself handles them, it exits with status 128 + the signal number (143
 * for SIGTERM) whatever the command returns, and it may end before the command has printed its
 * last line. With these handlers the command stops, prints, returns, and the process exits with
 * the command's own code (0 after a clean stop). A second signal gets the JVM's own handling, so
 * that a stop that hangs can still be cut short.
 */
public final class StopSignals {

    private StopSignals() {
    }

    /**
     * Runs {@code onStop} (once) on the first SIGTERM or SIGINT.
     *
     * @return what restores the previous handlers; where a signal cannot be handled (e.g. under
     *         {@code -Xrs}), it is left alone and the caller's shutdown hook remains the fallback
     */
    public static Runnable install(Runnable onStop) {
        AtomicBoolean stopping = new AtomicBoolean();
        List<Runnable> restore = new ArrayList<>();
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
                previous[0] = sun.misc.Signal.handle(signal, s -> {
                    if (stopping.compareAndSet(false, true)) {
                        onStop.run();
                    } else {
                        passOn(previous[0], s);
                    }
                });
                restore.add(() -> sun.misc.Signal.handle(signal, previous[0]));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // this signal is reserved here: the JVM's shutdown (and the caller's hook) handles it
            }
        }
        return () -> restore.forEach(Runnable::run);
    }

    private static void passOn(sun.misc.SignalHandler previous, sun.misc.Signal s) {
        try {
            if (previous != null) {
                previous.handle(s);
                return;
            }
        } catch (UnsupportedOperationException nativeHandler) {
            // SIG_DFL or SIG_IGN: not callable from Java
        }
        System.exit(128 + s.getNumber());
    }
}
