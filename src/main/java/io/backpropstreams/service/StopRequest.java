package io.backpropstreams.service;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running service is asked to stop: SIGTERM or SIGINT, any other JVM shutdown, or
 * {@link #request()} from code (tests, the trainer's own failure). The service waits in
 * {@link #await()}, stops cleanly, and then {@link #close()}s this; a JVM shutdown waits for that
 * close (up to {@link #SHUTDOWN_GRACE}), because the JVM exits as soon as its hooks return.
 *
 * <p>Signals are handled by {@link StopSignals}, so that a clean stop ends the process with the
 * command's own exit code (0) instead of the JVM's 143 or 130.
 */
public final class StopRequest implements AutoCloseable {

    /** How long a JVM shutdown waits for the service to finish stopping. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(40);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Runnable restoreSignals = () -> { };
    private Thread hook;

    /** A request that only {@link #request()} triggers. */
    public StopRequest() {
    }

    /** Also triggers on SIGTERM, SIGINT and JVM shutdown, from now until {@link #close()}. */
    public StopRequest listenToSignals() {
        restoreSignals = StopSignals.install(stop::countDown);
        hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    /** Asks the service to stop, as SIGTERM would. */
    public void request() {
        stop.countDown();
    }

    /** True once a stop was requested. */
    public boolean requested() {
        return stop.getCount() == 0;
    }

    /** Blocks until a stop is requested. */
    public void await() throws InterruptedException {
        stop.await();
    }

    /** Says the service has stopped (a waiting JVM shutdown may proceed) and restores the signal handlers. */
    @Override
    public void close() {
        stopped.countDown();
        restoreSignals.run();
    }
}
