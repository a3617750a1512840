package io.s3relay.failure;

/** A failure that retrying cannot cure: the job fails at once and is dead-lettered. */
public class PermanentFailureException extends RuntimeException {
    public PermanentFailureException(String message) {
        super(message);
    }

    public PermanentFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
