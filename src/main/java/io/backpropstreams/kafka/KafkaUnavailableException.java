package io.backpropstreams.kafka;

/**
 * No Kafka cluster answered at the given bootstrap servers in time. Kafka's own clients retry
 * silently for minutes; this exception turns that into one message that names the address, so a
 * typo in {@code --bootstrap-servers} or a broker that is not running is obvious.
 */
public final class KafkaUnavailableException extends RuntimeException {

    private final String bootstrapServers;

    /** Keeps the address separate from the message, so that callers can print or test it. */
    public KafkaUnavailableException(String bootstrapServers, String message, Throwable cause) {
        super(message, cause);
        this.bootstrapServers = bootstrapServers;
    }

    /** The address that did not answer, exactly as the caller configured it. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
