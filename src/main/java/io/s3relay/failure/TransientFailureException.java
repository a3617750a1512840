package io.s3relay.failure;

/** A failure that may go away by itself (a server error, a timeout): the job is retried later. */
public class TransientFailureException extends RuntimeException {
    public TransientFailureException(String message) {
        super(message);
    }

    public TransientFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
