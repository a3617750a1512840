package io.s3relay.failure;

/** The JMS properties the relay puts on messages it retries, dead-letters or replays. */
public final class FailureHeaders {

    /** Which attempt the delivery is (absent: the first); a scheduled retry carries the next number. */
    public static final String ATTEMPT = "s3relay_attempt";
    /** How many times a job found no place for its upload (not attempts): each wait on the broker is longer. */
    public static final String DEFERRALS = "s3relay_deferrals";
    public static final String FIRST_FAILURE = "s3relay_first_failure";
    public static final String LAST_FAILURE = "s3relay_last_failure";
    public static final String LAST_ERROR = "s3relay_last_error";
    public static final String ERROR_CLASS = "s3relay_error_class";
    public static final String ERROR_TYPE = "s3relay_error_type";
    public static final String ERROR_MESSAGE = "s3relay_error_message";
    public static final String INTEGRATION_ID = "s3relay_integration_id";
    public static final String ATTEMPTS = "s3relay_attempts";
    public static final String ROUTE = "s3relay_route";
    public static final String SOURCE_QUEUE = "s3relay_source_queue";
    /** Set on messages that an operator moved back from the dead-letter queue. */
    public static final String REPLAYED = "s3relay_replayed";
    /** ActiveMQ's scheduler: deliver the message after this many milliseconds. */
    public static final String SCHEDULED_DELAY = "AMQ_SCHEDULED_DELAY";
    /**
     * Set by ActiveMQ's scheduler on every message it delivers. The broker sends a message that carries it at once,
     * whatever its delay says, so a retried message must lose it or only its first retry waits.
     */
    public static final String SCHEDULED_JOB_ID = "scheduledJobId";

    private FailureHeaders() {
    }
}
