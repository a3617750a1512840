package io.s3relay.copy;

import io.s3relay.config.ActiveIntegration;
import org.apache.camel.Exchange;

/**
 * One copy of a submission's PDF into one integration's bucket, as it goes through the routes: its job, the
 * integration in force, the rendered key, the PDF's size, its timings and how it goes. It is the only state the
 * steps share, in the exchange property {@value #PROPERTY}. The beans take it as a parameter bound by
 * {@code @ExchangeProperty(Copy.PROPERTY)} and return what the routes need of it; the routes never read its
 * fields with a Simple path ({@code ${exchangeProperty.s3relayCopy.key}}), which introspects this class anew at
 * every read (RouteFilesTest refuses them).
 */
public final class Copy {

    /** The exchange property that holds the copy. */
    public static final String PROPERTY = "s3relayCopy";

    private final UploadJob job;
    /** Attempt number of this upload, read from the message when the copy began. */
    private final int attempt;
    private volatile boolean inline;
    private volatile ActiveIntegration integration;
    private volatile String key;
    private volatile String tagging;
    private volatile long started;
    private volatile Long bytes;
    private volatile Long millis;
    private volatile boolean alreadyExisted;
    private volatile long place;

    public Copy(UploadJob job, int attempt) {
        this.job = job;
        this.attempt = attempt;
    }

    /** The copy of the exchange, or null before one began (a submission that never became a copy). */
    public static Copy of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, Copy.class);
    }

    /** The copy begins with its job: from now on the steps of the exchange share it. */
    public static Copy begin(Exchange exchange, UploadJob job, int attempt) {
        Copy copy = new Copy(job, attempt);
        exchange.setProperty(PROPERTY, copy);
        return copy;
    }

    public UploadJob getJob() {
        return job;
    }

    public int getAttempt() {
        return attempt;
    }

    public String getAccountId() {
        return job.submission().accountId();
    }

    public String getSubmissionId() {
        return job.submission().id();
    }

    public String getIntegrationId() {
        return job.integrationId();
    }

    /** Whether it is uploaded within its submission's transaction rather than as a job. */
    public boolean isInline() {
        return inline;
    }

    public void goesInline() {
        this.inline = true;
    }

    /** The integration in force once the key is rendered; null before. */
    public ActiveIntegration getIntegration() {
        return integration;
    }

    /** The key and tags are rendered with the integration in force: the upload's time starts now. */
    public void rendered(ActiveIntegration integration, String key, String tagging) {
        this.integration = integration;
        this.key = key;
        this.tagging = tagging;
        this.started = System.nanoTime();
    }

    public String getKey() {
        return key;
    }

    /** The object's tags as S3 takes them (URL-encoded), or null. */
    public String getTagging() {
        return tagging;
    }

    /** The registry name of the endpoint of one PutObject into the integration's bucket (see UploadTargets). */
    public String getPutObjectEndpoint() {
        return integration.target().putObject();
    }

    /** The registry name of the endpoint of a multipart upload into the integration's bucket. */
    public String getMultipartEndpoint() {
        return integration.target().multipart();
    }

    /** The PDF's size once it is read; null before. */
    public Long getBytes() {
        return bytes;
    }

    public void loaded(long bytes) {
        this.bytes = bytes;
    }

    /** The object is stored: milliseconds from the key's rendering, for the log line and the metrics. */
    public long stored() {
        long ms = (System.nanoTime() - started) / 1_000_000;
        this.millis = ms;
        return ms;
    }

    /** Milliseconds from the key's rendering to the object stored; null before. */
    public Long getMillis() {
        return millis;
    }

    /** The copy took a place among the uploads in flight, by this ticket. */
    public void holdsPlace(long ticket) {
        this.place = ticket;
    }

    /** The ticket of the place the copy holds among the uploads in flight; 0 before it took one. */
    public long place() {
        return place;
    }

    /** An integration that never overwrites found the object already there (S3 answered 412). */
    public boolean isAlreadyExisted() {
        return alreadyExisted;
    }

    public void alreadyExisted() {
        this.alreadyExisted = true;
    }

    /**
     * The copy as the log lines show it: {@code account=... id=... integration=...}, then its key, size and time
     * once known. The routes log {@code ${exchangeProperty.s3relayCopy}}: one lookup, where reading each field with
     * Simple's OGNL took a bean introspection per field per upload.
     */
    @Override
    public String toString() {
        StringBuilder line = new StringBuilder(160).append("account=").append(getAccountId())
                .append(" id=").append(getSubmissionId()).append(" integration=").append(getIntegrationId());
        if (key != null) {
            line.append(" key=").append(key);
        }
        if (bytes != null) {
            line.append(" bytes=").append(bytes);
        }
        if (millis != null) {
            line.append(" ms=").append(millis);
        }
        return line.toString();
    }
}
