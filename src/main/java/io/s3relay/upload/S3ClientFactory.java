package io.s3relay.upload;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import io.s3relay.config.Integration;
import io.s3relay.config.S3Connection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client of one integration: its own credentials, region and endpoint, and only the upload calls
 * (PutObject, or a multipart upload) that {@link PutObjectOnlyInterceptor} lets through. The SDK does not
 * retry: retries belong to the broker's redelivery, so that the layers never multiply.
 */
public class S3ClientFactory implements AutoCloseable {

    private final Duration callTimeout;
    private final int maxConnections;
    /**
     * The call timeouts of every client it builds. The SDK's own scheduler (5 threads per client) keeps a cancelled
     * timeout queued until it is due: with a 2-minute timeout, each upload of the last 2 minutes left one on the heap
     * (about 2.8 MiB after 10,000 small uploads). This one drops a timeout as soon as its call ends.
     */
    private final ScheduledThreadPoolExecutor timeouts;

    public S3ClientFactory(Duration callTimeout, int maxConnections) {
        this.callTimeout = callTimeout;
        this.maxConnections = maxConnections;
        AtomicInteger threads = new AtomicInteger();
        this.timeouts = new ScheduledThreadPoolExecutor(2, task -> {
            Thread thread = new Thread(task, "s3relay-s3-timeouts-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
    }

    /** Call timeouts scheduled and not yet ended, cancelled or fired. */
    int pendingTimeouts() {
        return timeouts.getQueue().size();
    }

    /** Stops the timeouts' threads, once the clients it built are closed. */
    @Override
    public void close() {
        timeouts.shutdownNow();
    }

    /** A customer's client: upload calls only, and an AbortMultipartUpload that never fails the job by itself. */
    public S3Client create(Integration integration) {
        return new BestEffortAbortS3Client(build(integration.connection(), true));
    }

    /** The platform's own store, which the relay reads PDFs from. */
    public S3Client createReader(S3Connection store) {
        return build(store, false);
    }

    private S3Client build(S3Connection connection, boolean putObjectOnly) {
        var builder = S3Client.builder()
                .region(Region.of(connection.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(connection.accessKeyId(), connection.secretAccessKey())))
                .forcePathStyle(connection.pathStyle())
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(maxConnections)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(callTimeout))
                .overrideConfiguration(c -> {
                    // each call: a PutObject, or one part of a multipart upload
                    c.retryPolicy(RetryPolicy.none()).apiCallTimeout(callTimeout).scheduledExecutorService(timeouts);
                    if (putObjectOnly) {
                        c.addExecutionInterceptor(new PutObjectOnlyInterceptor());
                    }
                });
        if (connection.endpoint() != null) {
            builder.endpointOverride(connection.endpoint());
        }
        return builder.build();
    }
}
