package io.s3relay.upload;

import java.time.Clock;
import java.util.List;

import io.s3relay.config.ActiveIntegration;
import io.s3relay.submission.Submission;
import org.apache.camel.Exchange;

/** Turns a submission and its account's integrations into the upload jobs that should happen. */
public class UploadPlanner {

    private final Clock clock;

    public UploadPlanner(Clock clock) {
        this.clock = clock;
    }

    /** @param replayed whether an operator replayed the submission from the dead-letter queue */
    public List<UploadJob> plan(Submission submission, List<ActiveIntegration> integrations, Boolean replayed) {
        String receivedAt = clock.instant().toString();
        return integrations.stream()
                .filter(integration -> integration.accepts(submission))
                .map(integration -> new UploadJob(integration.id(), receivedAt, submission,
                        Boolean.TRUE.equals(replayed)))
                .toList();
    }

    /** For each job of the split: the job (in the body) and its ids as exchange properties, for the steps after. */
    public void describe(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        UploadPreparer.describe(exchange, exchange.getMessage().getMandatoryBody(UploadJob.class));
    }
}
