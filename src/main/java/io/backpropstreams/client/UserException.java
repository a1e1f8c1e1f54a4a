package io.backpropstreams.client;

/**
 * A problem the user can fix (a missing file, a cluster that does not answer, a bad value).
 * The command line prints its message, without a stack trace, and exits with code 1.
 */
public final class UserException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message says what is wrong and names the offending value */
    public UserException(String message) {
        super(message);
    }

    /** @see #UserException(String) */
    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
