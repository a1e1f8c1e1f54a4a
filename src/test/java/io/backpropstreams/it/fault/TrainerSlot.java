package io.backpropstreams.it.fault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The one trainer child JVM a scenario runs at a time: started, killed, stopped and restarted
 * under numbered names ({@code <label>-trainer-1}, {@code -2}, …) so that every incarnation's
 * output stays in its own files.
 */
final class TrainerSlot implements AutoCloseable {

    /** Starts one incarnation of the trainer under a name and returns once it printed "Trainer running". */
    @FunctionalInterface
    interface Launcher {
        ChildJvm start(String name) throws Exception;
    }

    private final String label;
    private final Launcher launcher;
    private final java.util.List<Double> startSeconds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile ChildJvm current;
    private int starts;
    private int selfExits;

    TrainerSlot(String label, Path dir, String bootstrap, Path config, int partitions) {
        this(label, name -> FaultKit.startTrainer(name, dir, bootstrap, config, partitions));
    }

    TrainerSlot(String label, Launcher launcher) {
        this.label = label;
        this.launcher = launcher;
    }

    /** Starts a new incarnation and waits until it runs. */
    synchronized ChildJvm start() throws Exception {
        starts++;
        long t0 = System.nanoTime();
        current = launcher.start(label + "-trainer-" + starts);
        startSeconds.add((System.nanoTime() - t0) / 1e9);
        return current;
    }

    /** For each incarnation, the seconds from its launch to "Trainer running" (RUNNING). */
    java.util.List<Double> startSeconds() {
        return java.util.List.copyOf(startSeconds);
    }

    ChildJvm current() {
        return current;
    }

    /** If the current incarnation exited on its own, says so and starts another. */
    synchronized void restartIfExited() {
        ChildJvm t = current;
        if (t == null || t.isAlive()) {
            return;
        }
        selfExits++;
        System.out.printf(Locale.ROOT, "%s: %s exited on its own with %d after %.1f s; restarting it%n%s%n",
                label, t, t.exitCode(), t.uptimeSeconds(), t.describeOutput());
        try {
            start();
        } catch (Exception e) {
            throw new AssertionError("could not restart the trainer", e);
        }
    }

    /** SIGTERM the current incarnation; returns its exit code. */
    synchronized int terminate(Duration timeout) throws InterruptedException {
        return current.terminate(timeout);
    }

    /** Incarnations started. */
    synchronized int starts() {
        return starts;
    }

    /** Incarnations that exited without being asked to. */
    synchronized int selfExits() {
        return selfExits;
    }

    @Override
    public void close() throws InterruptedException {
        ChildJvm t = current;
        if (t != null) {
            t.close();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s trainer #%d", label, starts);
    }
}
