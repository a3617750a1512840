package io.s3relay.failure;

/**
 * The upload was not tried at all (the integration's circuit is open, or it already has as many uploads in flight
 * as it may): the job waits and comes back without using up one of its attempts.
 */
public class NotAttemptedException extends TransientFailureException {

    private final long retryAfterMillis;

    public NotAttemptedException(String message, long retryAfterMillis) {
        super(message);
        this.retryAfterMillis = retryAfterMillis;
    }

    /** No stack trace: it says where the copy goes next, not where something broke, and it is thrown often. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
