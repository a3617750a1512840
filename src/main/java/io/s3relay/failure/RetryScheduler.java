package io.s3relay.failure;

import java.time.Clock;

import io.s3relay.config.ActiveIntegration;
import io.s3relay.copy.Copy;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failure leads to. Permanent failures and the last attempt are terminal (dead letter and
 * {@code failed}); anything else is retried later. With the broker's scheduler (the default) the original message
 * goes back to its queue with a delay, in the same transaction, so no consumer thread waits and no prefetched
 * message is held; without it the transaction rolls back and the client redelivers after a backoff.
 */
public class RetryScheduler {

    /** Exchange property: the queue the retried message goes back to. */
    public static final String RETRY_QUEUE = "s3relayRetryQueue";

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
        long delay = attempted ? backoff.delayAfter(attempt) : ((NotAttemptedException) failure).retryAfterMillis();
        Copy copy = Copy.of(exchange);
        ActiveIntegration integration = copy == null ? null : copy.getIntegration();
        if (attempted && integration != null) {
            guard.failed(integration.id());
        }
        var message = exchange.getMessage();
        String now = clock.instant().toString();
        message.setHeader(FailureHeaders.ATTEMPT, attempted ? attempt + 1 : attempt);
        if (attempted && message.getHeader(FailureHeaders.FIRST_FAILURE) == null) {
            message.setHeader(FailureHeaders.FIRST_FAILURE, now);
        }
        if (attempted) {
            message.setHeader(FailureHeaders.LAST_FAILURE, now);
            message.setHeader(FailureHeaders.LAST_ERROR, FailureClassifier.describe(failure));
        }
        message.setHeader(FailureHeaders.SCHEDULED_DELAY, delay);
        message.removeHeaders("Camel*");
        message.removeHeader("JMSXDeliveryCount");
        message.removeHeader(FailureHeaders.SCHEDULED_JOB_ID);
        exchange.setProperty(RETRY_QUEUE, ((JmsEndpoint) exchange.getFromEndpoint()).getDestinationName());
        if (attempted) {
            LOG.warn("Attempt {} of {} failed in route {}{}; retrying in {} ms: {}", attempt, backoff.maxAttempts(),
                    exchange.getFromRouteId(), integration == null ? "" : " (integration " + integration.id() + ")",
                    delay, FailureClassifier.describe(failure));
        } else {
            LOG.debug("Upload not attempted, retrying in {} ms: {}", delay, failure.getMessage());
        }
    }

    /**
     * Whether a copy that failed within its submission (its first attempt) is dead-lettered at once: a permanent
     * failure, or a relay allowed one attempt only. Otherwise it goes as a job (see {@link #prepareJob}).
     */
    public boolean isTerminalWithinSubmission(Exchange exchange) {
        Throwable failure = failure(exchange);
        return FailureClassifier.isPermanent(failure)
                || !(failure instanceof NotAttemptedException) && backoff.maxAttempts() <= 1;
    }

    /**
     * Headers of the job sent for a copy that was not uploaded within its submission. Not tried (its integration
     * was busy or its PDF large): the job is its first attempt, at once. Failed: that was attempt 1, so the job is
     * attempt 2, after the backoff, and the integration's next copies go as jobs until one of its uploads succeeds.
     */
    public void prepareJob(Exchange exchange) {
        Throwable failure = failure(exchange);
        var message = exchange.getMessage();
        Copy copy = Copy.of(exchange);
        String integrationId = copy == null ? null : copy.getIntegrationId();
        if (failure instanceof NotAttemptedException) {
            LOG.debug("Upload of integration {} goes as a job: {}", integrationId, failure.getMessage());
            return;
        }
        guard.failed(integrationId);
        long delay = backoff.delayAfter(1);
        String now = clock.instant().toString();
        message.setHeader(FailureHeaders.ATTEMPT, 2);
        message.setHeader(FailureHeaders.FIRST_FAILURE, now);
        message.setHeader(FailureHeaders.LAST_FAILURE, now);
        message.setHeader(FailureHeaders.LAST_ERROR, FailureClassifier.describe(failure));
        message.setHeader(FailureHeaders.SCHEDULED_DELAY, delay);
        LOG.warn("Attempt 1 of {} failed within route {} (integration {}); its job retries in {} ms: {}",
                backoff.maxAttempts(), exchange.getFromRouteId(), integrationId, delay, FailureClassifier.describe(failure));
    }

    /** The failure an error handler is handling: the caught exception, or the exchange's own. */
    public static Throwable failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }
}
