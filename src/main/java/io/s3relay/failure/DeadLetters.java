package io.s3relay.failure;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.status.StatusFactory;
import io.s3relay.status.UploadMetrics;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionParser;
import io.s3relay.copy.Copy;
import io.s3relay.copy.UploadJob;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the dead letter of a failed message (see {@link RetryScheduler} for when): the original body unchanged,
 * with headers that say what went wrong, and the {@code failed} status that goes out with it.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final ObjectMapper mapper;
    private final SubmissionParser parser;
    private final StatusFactory statuses;
    private final UploadMetrics metrics;
    private final Clock clock;

    public DeadLetters(ObjectMapper mapper, SubmissionParser parser, StatusFactory statuses, UploadMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.mapper = mapper;
        this.parser = parser;
        this.statuses = statuses;
        this.clock = clock;
    }

    /**
     * Sets the dead-letter headers on the original message. It never throws: whatever it cannot describe, the letter
     * still goes to the relay's dead-letter queue with a reason.
     */
    public void prepare(Exchange exchange) {
        try {
            describe(exchange);
        } catch (RuntimeException e) {
            LOG.error("Dead letter from route {} described in part only: {}", exchange.getFromRouteId(), e.toString());
            var message = exchange.getMessage();
            message.setHeader(FailureHeaders.ERROR_CLASS, "permanent");
            message.setHeader(FailureHeaders.ERROR_TYPE, rootType(RetryScheduler.failure(exchange)));
            message.setHeader(FailureHeaders.ERROR_MESSAGE, FailureClassifier.describe(RetryScheduler.failure(exchange)));
            message.setHeader(FailureHeaders.ROUTE, exchange.getFromRouteId());
        }
    }

    private void describe(Exchange exchange) {
        Throwable failure = RetryScheduler.failure(exchange);
        String body = exchange.getMessage().getBody(String.class);
        int attempts = Attempts.of(exchange);
        boolean permanent = FailureClassifier.isPermanent(failure);
        String reason = FailureClassifier.describe(failure);
        String now = clock.instant().toString();

        String integrationId = null;
        Submission submission = null;
        UploadJob job = readJob(body);
        if (job != null) {
            integrationId = job.integrationId();
            submission = job.submission();
        } else if (body != null) {
            submission = parser.identify(body);
        }
        Copy copy = Copy.of(exchange);
        String key = copy == null ? null : copy.getKey();
        var message = exchange.getMessage();
        message.removeHeaders("Camel*");
        message.removeHeader(FailureHeaders.SCHEDULED_DELAY);
        message.removeHeader(FailureHeaders.SCHEDULED_JOB_ID);
        message.removeHeader(FailureHeaders.LAST_ERROR);
        message.setHeader(FailureHeaders.ERROR_CLASS, permanent ? "permanent" : "retries-exhausted");
        message.setHeader(FailureHeaders.ERROR_TYPE, rootType(failure));
        message.setHeader(FailureHeaders.ERROR_MESSAGE, reason);
        message.setHeader(FailureHeaders.INTEGRATION_ID, integrationId);
        message.setHeader(FailureHeaders.ATTEMPTS, attempts);
        if (message.getHeader(FailureHeaders.FIRST_FAILURE) == null) {
            message.setHeader(FailureHeaders.FIRST_FAILURE, now);
        }
        message.setHeader(FailureHeaders.LAST_FAILURE, now);
        message.setHeader(FailureHeaders.ROUTE, exchange.getFromRouteId());
        // a copy that failed within its submission is dead-lettered as a job: replayed, it goes to the jobs queue
        boolean jobMadeHere = job != null && copy != null && copy.isInline();
        if (!jobMadeHere && exchange.getFromEndpoint() instanceof org.apache.camel.component.jms.JmsEndpoint jms) {
            message.setHeader(FailureHeaders.SOURCE_QUEUE, jms.getDestinationName());
        }

        metrics.failed(integrationId, submission == null ? null : submission.accountId());
        LOG.error("Upload account={} id={} integration={} key={} attempts={} state=failed ({}): {}; dead-lettered from route {}",
                submission == null ? null : submission.accountId(), submission == null ? null : submission.id(),
                integrationId, key, attempts, permanent ? "permanent" : "retries exhausted", reason, exchange.getFromRouteId());
    }

    /**
     * The {@code failed} status of the submission a dead letter (described by {@link #prepare}) names, or null when
     * it names none. It never throws: the dead letter itself must never fail, or the broker's own DLQ would take the
     * message.
     */
    public String failedStatus(Exchange exchange) {
        var message = exchange.getMessage();
        Submission submission = null;
        try {
            String body = message.getBody(String.class);
            UploadJob job = readJob(body);
            submission = job != null ? job.submission() : body == null ? null : parser.identify(body);
            if (submission == null) {
                return null;
            }
            Copy copy = Copy.of(exchange);
            Integer attempts = message.getHeader(FailureHeaders.ATTEMPTS, Integer.class);
            boolean replayed = Boolean.TRUE.equals(message.getHeader(FailureHeaders.REPLAYED, Boolean.class))
                    || job != null && job.replayed();
            return statuses.failed(job == null ? null : job.integrationId(), submission,
                    attempts == null ? Attempts.of(exchange) : attempts,
                    message.getHeader(FailureHeaders.ERROR_MESSAGE, String.class), copy == null ? null : copy.getKey(),
                    replayed);
        } catch (RuntimeException e) {
            LOG.error("No failed status for the dead letter of submission {}: {}",
                    submission == null ? null : submission.id(), e.toString());
            return null;
        }
    }

    private UploadJob readJob(String body) {
        if (body == null || !body.contains("\"integration_id\"")) {
            return null;
        }
        try {
            UploadJob job = mapper.readValue(body, UploadJob.class);
            // only a job the relay wrote: an upstream message may carry an integration_id of its own
            Submission submission = job.submission();
            return job.integrationId() != null && submission != null && submission.kind() != null
                    && submission.id() != null && submission.accountId() != null ? job : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String rootType(Throwable failure) {
        Throwable t = failure;
        while (t != null && t.getCause() != null && t.getCause() != t
                && (t instanceof org.apache.camel.CamelExecutionException || t instanceof org.apache.camel.RuntimeCamelException)) {
            t = t.getCause();
        }
        return t == null ? "unknown" : t.getClass().getSimpleName();
    }

}
