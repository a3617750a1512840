package io.s3relay.upload;

import java.time.Instant;

import io.s3relay.config.ActiveIntegration;
import io.s3relay.config.IntegrationRegistry;
import io.s3relay.copy.Copy;
import io.s3relay.copy.UploadJob;
import io.s3relay.failure.NotAttemptedException;
import io.s3relay.failure.PermanentFailureException;
import io.s3relay.keys.ObjectTagging;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.upload.PdfSource.Pdf;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The steps of one copy (see {@link Copy}) before and after the aws2-s3 producer: whether it goes inline, the
 * integration in force and the rendered key, the integration's upload slot, the PDF, and the object stored.
 */
public class UploadPreparer {


    private final IntegrationRegistry integrations;
    private final PathTemplateRenderer renderer;
    private final PdfSource pdfSource;
    private final IntegrationGuard guard;
    private final long inlineMaxBytes;
    private final long multipartThreshold;

    /**
     * @param inlineMaxBytes     the largest PDF uploaded within its submission's transaction; 0: every copy is a job
     * @param multipartThreshold the smallest PDF uploaded in parts
     */
    public UploadPreparer(IntegrationRegistry integrations, PathTemplateRenderer renderer, PdfSource pdfSource,
                          IntegrationGuard guard, long inlineMaxBytes, long multipartThreshold) {
        this.integrations = integrations;
        this.renderer = renderer;
        this.pdfSource = pdfSource;
        this.guard = guard;
        this.inlineMaxBytes = inlineMaxBytes;
        this.multipartThreshold = multipartThreshold;
    }

    /**
     * Whether the copy is uploaded now, by the submission's own consumer and within its transaction, rather than
     * sent as a job: yes while its integration is healthy (see {@link IntegrationGuard#healthy}).
     */
    public boolean uploadsInline(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        return inlineMaxBytes > 0 && guard.healthy(copy.getIntegrationId());
    }

    /** The copy goes within its submission: its PDF is read up to the inline limit, and a failure makes it a job. */
    public void goInline(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        copy.goesInline();
    }

    /**
     * Finds the integration in force that the job names and renders the object key and tags from its templates
     * into the copy; the upload's time starts here.
     *
     * @return the object key
     */
    public String renderKey(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        UploadJob job = copy.getJob();
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
        copy.rendered(integration, key, tagging);
        return key;
    }

    /**
     * A place among the uploads in flight, held by the copy until the upload ends (see {@link #uploadEnded}, the
     * finally of the steps that read and put the PDF).
     */
    public void acquireSlot(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        copy.holdsPlace(guard.acquire(copy.getIntegration().id(), copy.getAccountId(), copy.isInline()));
    }

    /** Whether the copy's PDF, loaded, is uploaded in parts rather than with one PutObject. */
    public boolean isMultipart(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        return copy.getBytes() >= multipartThreshold;
    }

    /** The registry name of the aws2-s3 endpoint that puts the copy with one PutObject (the relay made it, see {@link Aws2S3UploadTargets}). */
    public String putObjectEndpoint(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        return copy.getPutObjectEndpoint();
    }

    /** The registry name of the aws2-s3 endpoint that puts the copy in parts. */
    public String multipartEndpoint(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        return copy.getMultipartEndpoint();
    }

    /** The integration's client puts the copy's tags on its PutObject or CreateMultipartUpload, made on this thread. */
    public void tagObject(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        ObjectOptionsInterceptor.tagNext(copy.getIntegration().settings().bucket(), copy.getKey(), copy.getTagging());
    }

    /**
     * The PDF was read and put, or that failed: the copy's tags are withdrawn from the thread and its place is given
     * back at once, not after the steps that follow (metrics, the processed status and its send).
     */
    public void uploadEnded(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        ObjectOptionsInterceptor.clearTags();
        guard.release(copy.getIntegration().id(), copy.place());
    }

    /**
     * The upload failed: when only because the object is already there and the integration never overwrites (S3's
     * 412 to {@code If-None-Match: *}), the copy is done, not failed, and its processed status says so; any other
     * failure goes on to the calling route as it was.
     */
    public void keepExistingOrFail(@ExchangeProperty(Copy.PROPERTY) Copy copy, Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ActiveIntegration integration = copy.getIntegration();
        if (failure != null && integration != null && !integration.settings().objectOptions().overwrite()
                && preconditionFailed(failure)) {
            copy.alreadyExisted();
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

    /** The object is stored: the integration's circuit closes. */
    public void uploaded(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        guard.succeeded(copy.getIntegration().id(), copy.stored());
    }

    /**
     * The PDF as a file, for the body; a temporary copy is deleted when the exchange completes. A copy that goes
     * within its submission reads at most the inline limit: a larger one goes as a job, so the transaction stays short.
     */
    public java.io.File loadPdf(@ExchangeProperty(Copy.PROPERTY) Copy copy, Exchange exchange) {
        Pdf pdf = pdfSource.open(copy.getJob().submission().downloadUrl(), copy.isInline() ? inlineMaxBytes : Long.MAX_VALUE);
        if (pdf.temporary()) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    PdfSource.deleteQuietly(pdf);
                }
            });
        }
        copy.loaded(pdf.size());
        return pdf.path().toFile();
    }
}
