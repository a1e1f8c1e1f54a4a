package io.backpropstreams.kafka;

/**
 * The embedded broker could not start. It is a separate type so that the CLI can tell "your
 * environment is wrong" (port taken, data directory unusable) from a bug, and print the message
 * instead of a stack trace.
 */
public final class BrokerStartException extends RuntimeException {

    /** Carries a message meant for the user, who can act on it without reading a stack trace. */
    public BrokerStartException(String message) {
        super(message);
    }

    /** Keeps Kafka's own exception as the cause, for the log, while the message stays readable. */
    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
