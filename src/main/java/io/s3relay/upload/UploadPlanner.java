package io.s3relay.upload;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.s3relay.config.AccountIntegrations;
import io.s3relay.config.ActiveIntegration;
import io.s3relay.copy.Copy;
import io.s3relay.copy.UploadJob;
import io.s3relay.failure.Attempts;
import io.s3relay.submission.Submission;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a submission and its account's integrations into the upload jobs that should happen. */
public class UploadPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(UploadPlanner.class);

    private final Clock clock;

    public UploadPlanner(Clock clock) {
        this.clock = clock;
    }

    /**
     * One job per integration that takes the submission, and one per integration of the account that is not in
     * force (rejected in the integrations file): that copy fails with the reason, so that the customer hears it.
     *
     * @param replayed whether an operator replayed the submission from the dead-letter queue
     */
    public List<UploadJob> plan(@Body Submission submission, @ExchangeProperty("integrations") AccountIntegrations integrations,
                                @Header("s3relay_replayed") Boolean replayed) {
        String receivedAt = clock.instant().toString();
        boolean replay = Boolean.TRUE.equals(replayed);
        List<UploadJob> jobs = new ArrayList<>();
        for (ActiveIntegration integration : integrations.inForce()) {
            if (integration.accepts(submission)) {
                jobs.add(new UploadJob(integration.id(), receivedAt, submission, replay));
            }
        }
        for (String rejected : integrations.notInForce().keySet()) {
            jobs.add(new UploadJob(rejected, receivedAt, submission, replay));
        }
        if (integrations.isEmpty() && integrations.hadIntegrations()) {
            LOG.warn("Submission {} of account {}: the account has no integration in force any more (removed from "
                    + "the integrations file); nothing uploaded", submission.id(), submission.accountId());
        }
        return jobs;
    }

    /** The job of the copy, to send or to upload. */
    public UploadJob job(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        return copy.getJob();
    }

    /** For each job (in the body): its copy begins, shared by the steps after (see {@link Copy}). */
    public void describe(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        Copy.begin(exchange, exchange.getMessage().getMandatoryBody(UploadJob.class), Attempts.of(exchange));
    }
}
