package io.s3relay.upload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;

/**
 * A customer's client whose AbortMultipartUpload never fails. The aws2-s3 producer aborts a multipart upload
 * when a part or the completion fails, and an exception from that abort would replace the one that made the
 * upload fail: a 503 on a part followed by a 403 on the abort (a customer who granted {@code s3:PutObject} but not
 * {@code s3:AbortMultipartUpload}) would turn a transient failure into a permanent one. So a failed abort is
 * logged and forgotten; the job fails with its own error and is classified by it. The parts of an upload that
 * could not be aborted stay in the bucket until its lifecycle rule (AbortIncompleteMultipartUpload) removes them.
 */
public class BestEffortAbortS3Client extends DelegatingS3Client {

    private static final Logger LOG = LoggerFactory.getLogger(BestEffortAbortS3Client.class);

    /** What else the client holds (its role credentials' provider), closed with it; may be null. */
    private final AutoCloseable alsoClosed;

    public BestEffortAbortS3Client(S3Client delegate, AutoCloseable alsoClosed) {
        super(delegate);
        this.alsoClosed = alsoClosed;
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            if (alsoClosed != null) {
                try {
                    alsoClosed.close();
                } catch (Exception e) {
                    LOG.debug("Could not close the credentials of a replaced client: {}", e.toString());
                }
            }
        }
    }

    @Override
    public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
        try {
            return super.abortMultipartUpload(request);
        } catch (SdkException e) {
            LOG.warn("Could not abort the failed multipart upload of bucket={} key={}: {}", request.bucket(),
                    request.key(), e.getMessage());
            return AbortMultipartUploadResponse.builder().build();
        }
    }
}
