package io.s3relay.upload;

import java.time.Instant;

import io.s3relay.config.ActiveIntegration;
import io.s3relay.config.IntegrationRegistry;
import io.s3relay.failure.NotAttemptedException;
import io.s3relay.failure.PermanentFailureException;
import io.s3relay.keys.ObjectTagging;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.upload.PdfSource.Pdf;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.support.SynchronizationAdapter;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Gets one upload job ready for the aws2-s3 producer: finds the integration in force, renders the object key
 * ({@code CamelAwsS3Key}), names the endpoints of the integration's bucket and client, and puts the PDF in the body.
 */
public class UploadPreparer {

    /** Exchange properties the upload route and the status step read. */
    public static final String JOB = "s3relayJob";
    public static final String INTEGRATION = "s3relayIntegration";
    /** The registry names of the endpoints that upload into the integration's bucket (see UploadTargets). */
    public static final String PUT_OBJECT_ENDPOINT = "s3relayPutObjectEndpoint";
    public static final String MULTIPART_ENDPOINT = "s3relayMultipartEndpoint";
    public static final String BYTES = "s3relayBytes";
    public static final String STARTED = "s3relayStarted";
    public static final String KEY = "s3relayKey";
    /** Milliseconds from the key's rendering to the object stored, for the upload's log line. */
    public static final String MILLIS = "s3relayMillis";
    /** The job's account, submission and integration ids, for the log lines: plain properties, read without reflection. */
    public static final String ACCOUNT_ID = "s3relayAccountId";
    public static final String SUBMISSION_ID = "s3relaySubmissionId";
    public static final String INTEGRATION_ID = "s3relayIntegrationId";
    /** True while the copy is uploaded within its submission's transaction instead of as a job. */
    public static final String INLINE = "s3relayInline";
    /** True when an integration that never overwrites found the object already there (S3 answered 412). */
    public static final String ALREADY_EXISTED = "s3relayAlreadyExisted";

    private static final long STARTUP_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    private final IntegrationRegistry integrations;
    private final PathTemplateRenderer renderer;
    private final PdfSource pdfSource;
    private final IntegrationGuard guard;
    private final long inlineMaxBytes;

    /** @param inlineMaxBytes the largest PDF uploaded within its submission's transaction; 0: every copy is a job */
    public UploadPreparer(IntegrationRegistry integrations, PathTemplateRenderer renderer, PdfSource pdfSource,
                          IntegrationGuard guard, long inlineMaxBytes) {
        this.integrations = integrations;
        this.renderer = renderer;
        this.pdfSource = pdfSource;
        this.guard = guard;
        this.inlineMaxBytes = inlineMaxBytes;
    }

    /**
     * Whether the job in {@link #JOB} is uploaded now, by the submission's own consumer and within its transaction,
     * rather than sent as a job: yes while its integration is healthy (see {@link IntegrationGuard#healthy}).
     */
    public boolean uploadsInline(Exchange exchange) {
        UploadJob job = exchange.getProperty(JOB, UploadJob.class);
        boolean inline = inlineMaxBytes > 0 && guard.healthy(job.integrationId());
        exchange.setProperty(INLINE, inline);
        return inline;
    }

    /** Sets {@code CamelAwsS3Key} and the properties naming the endpoints of the integration's bucket and client. */
    public void renderKey(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        awaitStarted(exchange.getContext());
        UploadJob job = exchange.getMessage().getMandatoryBody(UploadJob.class);
        ActiveIntegration integration = integrations.get(job.integrationId());
        if (integration == null) {
            String problem = integrations.problem(job.integrationId());
            throw new PermanentFailureException("integration " + job.integrationId()
                    + (problem == null ? " is no longer configured" : " is not in force: " + problem));
        }
        var submission = job.submission();
        if (!integration.settings().accountId().equals(submission.accountId())) {
            // a job names its integration: it must still be one of the submission's own account
            throw new PermanentFailureException("integration " + job.integrationId() + " does not belong to account "
                    + submission.accountId());
        }
        var template = integration.templateFor(submission.kind(), submission.test());
        if (template == null) {
            throw new PermanentFailureException("integration " + job.integrationId() + " no longer uploads combined PDFs");
        }
        // when the relay took the submission is parsed only for a key that needs it: on every key it cost more than
        // 1 % of the relay's CPU in a burst
        String key = renderer.render(template, submission, () -> Instant.parse(job.receivedAt()));
        String tagging = ObjectTagging.render(renderer, integration.tags(), submission, () -> Instant.parse(job.receivedAt()));
        // a place among the integration's uploads in flight, given back however the exchange ends
        long ticket = guard.acquire(integration.id());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                guard.release(integration.id(), ticket);
            }
        });
        describe(exchange, job);
        exchange.setProperty(INTEGRATION, integration);
        exchange.setProperty(PUT_OBJECT_ENDPOINT, integration.target().putObject());
        exchange.setProperty(MULTIPART_ENDPOINT, integration.target().multipart());
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(KEY, key);
        exchange.getMessage().setHeader(AWS2S3Constants.KEY, key);
        exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_TYPE, "application/pdf");
        // the integration's client puts them on this object's PutObject or CreateMultipartUpload, made on this thread
        ObjectOptionsInterceptor.tagNext(integration.settings().bucket(), key, tagging);
        if (tagging != null) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    ObjectOptionsInterceptor.clearTags();
                }
            });
        }
    }

    /** The upload call has returned or failed: its tags are withdrawn from the thread. */
    public void uploadEnded(Exchange exchange) {
        ObjectOptionsInterceptor.clearTags();
    }

    /**
     * The upload failed: when only because the object is already there and the integration never overwrites (S3's
     * 412 to {@code If-None-Match: *}), the copy is done, not failed, and its processed status says so; any other
     * failure goes on to the calling route as it was.
     */
    public void keepExistingOrFail(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ActiveIntegration integration = exchange.getProperty(INTEGRATION, ActiveIntegration.class);
        if (failure != null && integration != null && !integration.settings().objectOptions().overwrite()
                && preconditionFailed(failure)) {
            exchange.setProperty(ALREADY_EXISTED, true);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, null);
            return;
        }
        throw failure != null ? failure : new IllegalStateException("the upload failed without an exception");
    }

    private static boolean preconditionFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof S3Exception s3 && s3.statusCode() == 412) {
                return true;
            }
        }
        return false;
    }

    /**
     * Camel starts an endpoint created while it is itself still starting only once it has started, and one created
     * as its startup ends can miss that and stay unstarted: the aws2-s3 endpoint of the upload's toD then has no
     * client, for good. A consumer that takes a message before the relay has started (a backlog at startup) so waits
     * for it, and the endpoint starts as it is created.
     */
    static void awaitStarted(CamelContext context) {
        long deadline = System.nanoTime() + STARTUP_WAIT_NANOS;
        while (context.isStarting() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotAttemptedException("interrupted while the relay was starting", 0);
            }
        }
        if (context.isStarting()) {
            throw new NotAttemptedException("the relay is still starting", STARTUP_WAIT_NANOS / 1_000_000);
        }
    }

    /** Puts the job and its ids into exchange properties ({@link #JOB}, {@link #ACCOUNT_ID} ...). */
    public static void describe(Exchange exchange, UploadJob job) {
        exchange.setProperty(JOB, job);
        exchange.setProperty(ACCOUNT_ID, job.submission().accountId());
        exchange.setProperty(SUBMISSION_ID, job.submission().id());
        exchange.setProperty(INTEGRATION_ID, job.integrationId());
    }

    /** The object is stored: the integration's circuit closes. */
    public void uploaded(Exchange exchange) {
        long millis = (System.nanoTime() - exchange.getProperty(STARTED, Long.class)) / 1_000_000;
        guard.succeeded(exchange.getProperty(INTEGRATION, ActiveIntegration.class).id(), millis);
        exchange.setProperty(MILLIS, millis);
    }

    /** Puts the PDF into the body as a file; a temporary copy is deleted when the exchange completes. */
    public void loadPdf(Exchange exchange) {
        UploadJob job = exchange.getProperty(JOB, UploadJob.class);
        // a large copy goes as a job: the submission's transaction stays short
        boolean inline = exchange.getProperty(INLINE, false, Boolean.class);
        Pdf pdf = pdfSource.open(job.submission().downloadUrl(), inline ? inlineMaxBytes : Long.MAX_VALUE);
        if (pdf.temporary()) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    PdfSource.deleteQuietly(pdf);
                }
            });
        }
        exchange.setProperty(BYTES, pdf.size());
        exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, pdf.size());
        exchange.getMessage().setBody(pdf.path().toFile());
    }
}
