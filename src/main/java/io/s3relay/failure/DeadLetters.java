package io.s3relay.failure;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.status.StatusFactory;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionParser;
import io.s3relay.upload.UploadJob;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a failed message stops being retried, and prepares its dead letter: the original body unchanged,
 * with headers that say what went wrong, and the {@code failed} status that goes out with it.
 */
public class DeadLetters {

    /** Exchange property holding the failed status to publish, absent when no submission can be named. */
    public static final String FAILED_STATUS = "s3relayFailedStatus";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final int maxAttempts;
    private final ObjectMapper mapper;
    private final SubmissionParser parser;
    private final StatusFactory statuses;
    private final Clock clock;

    public DeadLetters(int maxAttempts, ObjectMapper mapper, SubmissionParser parser, StatusFactory statuses, Clock clock) {
        this.maxAttempts = maxAttempts;
        this.mapper = mapper;
        this.parser = parser;
        this.statuses = statuses;
        this.clock = clock;
    }

    /** Permanent failures at once; transient ones once the attempts are used up. Otherwise the broker redelivers. */
    public boolean isTerminal(Exchange exchange) {
        return FailureClassifier.isPermanent(failure(exchange)) || Attempts.of(exchange) >= maxAttempts;
    }

    /** One line per failed attempt that the broker will redeliver. */
    public void logRetry(Exchange exchange) {
        LOG.warn("Attempt {} of {} failed in route {}, the broker will redeliver it: {}", Attempts.of(exchange), maxAttempts,
                exchange.getFromRouteId(), FailureClassifier.describe(failure(exchange)));
    }

    /** Sets the dead-letter headers on the original message and leaves the failed status in a property. */
    public void prepare(Exchange exchange) {
        Throwable failure = failure(exchange);
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
        var message = exchange.getMessage();
        message.removeHeaders("Camel*");
        message.setHeader("s3relay_error_class", permanent ? "permanent" : "retries-exhausted");
        message.setHeader("s3relay_error_type", rootType(failure));
        message.setHeader("s3relay_error_message", reason);
        message.setHeader("s3relay_integration_id", integrationId);
        message.setHeader("s3relay_attempts", attempts);
        message.setHeader("s3relay_first_failure", attempts <= 1 ? now : null);
        message.setHeader("s3relay_last_failure", now);
        message.setHeader("s3relay_route", exchange.getFromRouteId());

        String key = exchange.getProperty(io.s3relay.upload.UploadPreparer.KEY, String.class);
        if (submission != null) {
            exchange.setProperty(FAILED_STATUS, statuses.failed(integrationId, submission, attempts, reason, key));
        }
        LOG.error("Dead-lettered a message from route {} after {} attempt(s) [{}]: account={} {}={} integration={}: {}",
                exchange.getFromRouteId(), attempts, permanent ? "permanent" : "retries exhausted",
                submission == null ? null : submission.accountId(),
                submission == null ? "id" : submission.kind().idVariable(), submission == null ? null : submission.id(),
                integrationId, reason);
    }

    private UploadJob readJob(String body) {
        if (body == null || !body.contains("\"integration_id\"")) {
            return null;
        }
        try {
            UploadJob job = mapper.readValue(body, UploadJob.class);
            return job.integrationId() != null && job.submission() != null ? job : null;
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

    private static Throwable failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }

}
