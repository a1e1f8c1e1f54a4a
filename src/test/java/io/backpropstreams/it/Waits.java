package io.backpropstreams.it;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The one way integration tests wait: poll a condition (Awaitility) until it holds or a deadline
 * passes, then fail naming what was awaited and the last value seen.
 */
public final class Waits {

    /** A value to poll; may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    private Waits() {
    }

    /** Polls {@code probe} until {@code done} holds and returns that value. */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        AtomicReference<Object> last = new AtomicReference<>("nothing yet");
        try {
            return Awaitility.await(what)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        T value = probe.get();
                        last.set(value);
                        return value;
                    }, done::test);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last seen: " + last.get(), e);
        }
    }

    /** Polls {@code condition} until it holds. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    }
}
