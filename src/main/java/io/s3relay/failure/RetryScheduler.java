package io.s3relay.failure;

import java.time.Clock;

import io.s3relay.config.ActiveIntegration;
import io.s3relay.copy.Copy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failure leads to. Permanent failures and the last attempt are terminal (dead letter and
 * {@code failed}); anything else is retried later: the original message goes back to its queue with a delay for the
 * broker's scheduler, in the same transaction, so no consumer thread waits and no prefetched message is held. A copy
 * that failed within its submission goes the same way, as its job to the upload jobs queue.
 */
public class RetryScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(RetryScheduler.class);

    private final Backoff backoff;
    private final FailedAttempts guard;
    private final Clock clock;

    public RetryScheduler(Backoff backoff, FailedAttempts guard, Clock clock) {
        this.backoff = backoff;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * Permanent failures at once; transient ones once the attempts are used up; a failure of a kind the relay does
     * not know (see {@link FailureClassifier#isKnown}) after {@value #UNKNOWN_FAILURE_ATTEMPTS} attempts.
     */
    public boolean isTerminal(Exchange exchange) {
        Throwable failure = failure(exchange);
        if (FailureClassifier.isPermanent(failure)) {
            return true;
        }
        if (failure instanceof NotAttemptedException) {
            return false;
        }
        int attempts = Attempts.of(exchange);
        return attempts >= backoff.maxAttempts()
                || !FailureClassifier.isKnown(failure) && attempts >= UNKNOWN_FAILURE_ATTEMPTS;
    }

    /** Attempts of a failure the relay cannot judge: enough for a passing glitch, not an hour of retries. */
    static final int UNKNOWN_FAILURE_ATTEMPTS = 3;

    /** Sets the headers of the retry on the original message: next attempt number, failure times, delay. */
    public void prepareRetry(Exchange exchange) {
        Throwable failure = failure(exchange);
        int attempt = Attempts.of(exchange);
        boolean attempted = !(failure instanceof NotAttemptedException);
        long delay = attempted ? backoff.delayAfter(attempt) : notAttemptedDelay(exchange, (NotAttemptedException) failure);
        Copy copy = Copy.of(exchange);
        ActiveIntegration integration = copy == null ? null : copy.getIntegration();
        if (attempted && integration != null) {
            guard.failed(integration.id());
        }
        var message = exchange.getMessage();
        String now = clock.instant().toString();
        if (attempted) {
            // a job that was not attempted keeps the number it had
            message.setHeader(FailureHeaders.ATTEMPT, attempt + 1);
        }
        if (attempted && message.getHeader(FailureHeaders.FIRST_FAILURE) == null) {
            message.setHeader(FailureHeaders.FIRST_FAILURE, now);
        }
        if (attempted) {
            message.setHeader(FailureHeaders.LAST_FAILURE, now);
            message.setHeader(FailureHeaders.LAST_ERROR, FailureClassifier.describe(failure));
        }
        if (delay > 0) {
            message.setHeader(FailureHeaders.SCHEDULED_DELAY, delay);
        } else {
            message.removeHeader(FailureHeaders.SCHEDULED_DELAY);
        }
        message.removeHeaders("Camel*");
        message.removeHeader("JMSXDeliveryCount");
        message.removeHeader(FailureHeaders.SCHEDULED_JOB_ID);
        if (attempted) {
            LOG.warn("Attempt {} of {} failed in route {}{}; retrying in {} ms: {}", attempt, backoff.maxAttempts(),
                    exchange.getFromRouteId(), integration == null ? "" : " (integration " + integration.id() + ")",
                    delay, FailureClassifier.describe(failure));
        } else {
            LOG.debug("Upload not attempted, retrying in {} ms: {}", delay, failure.getMessage());
        }
    }

    /**
     * How long a job that was not attempted waits on the broker: what it was told, doubled each time the same job
     * found no place again (up to the longest retry delay), so that a job of a bucket that stalls for minutes comes
     * back a few times, not every second.
     */
    private long notAttemptedDelay(Exchange exchange, NotAttemptedException failure) {
        long asked = failure.retryAfterMillis();
        if (asked <= 0) {
            return 0;
        }
        Integer before = exchange.getMessage().getHeader(FailureHeaders.DEFERRALS, Integer.class);
        int deferrals = before == null ? 0 : before;
        exchange.getMessage().setHeader(FailureHeaders.DEFERRALS, deferrals + 1);
        return Math.min(asked << Math.min(deferrals, 16), Math.max(asked, backoff.maxDelayMillis()));
    }

    /** The failure an error handler is handling: the caught exception, or the exchange's own. */
    public static Throwable failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }
}
