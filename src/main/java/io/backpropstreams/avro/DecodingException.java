package io.backpropstreams.avro;

/**
 * A record value that cannot become a sample or a spec. {@link #reason()} is a short stable code
 * (e.g. {@code malformed-json}) that the trainer puts in the dead letter's reason header;
 * the message says what exactly was wrong.
 */
public final class DecodingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param reason  stable, machine-readable code
     * @param message human-readable detail, with the offending values
     */
    public DecodingException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @see #DecodingException(String, String) */
    public DecodingException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The stable reason code. */
    public String reason() {
        return reason;
    }
}
