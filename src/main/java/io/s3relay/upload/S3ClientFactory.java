package io.s3relay.upload;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import io.s3relay.auth.RelayAwsIdentity;
import io.s3relay.config.Integration;
import io.s3relay.config.ObjectOptions;
import io.s3relay.config.S3Clients;
import io.s3relay.config.S3Connection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client of one integration: its own credentials (the customer's access keys, or the customer's role
 * assumed by the relay's own identity, its credentials kept and refreshed by the client), region and endpoint, its
 * object options on every upload ({@link ObjectOptionsInterceptor}), and only the upload calls (PutObject, or a
 * multipart upload) that {@link PutObjectOnlyInterceptor} lets through. The SDK does not retry: retries belong to
 * the broker's redelivery, so that the layers never multiply.
 */
public class S3ClientFactory implements S3Clients, AutoCloseable {

    private final Duration callTimeout;
    private final int maxConnections;
    /**
     * The call timeouts of every client it builds. The SDK's own scheduler (5 threads per client) keeps a cancelled
     * timeout queued until it is due: with a 2-minute timeout, each upload of the last 2 minutes left one on the heap
     * (about 2.8 MiB after 10,000 small uploads). This one drops a timeout as soon as its call ends.
     */
    private final ScheduledExecutorService timeouts;
    /** The relay's own AWS identity, which assumes customers' roles; null: an integration with a role is refused. */
    private final RelayAwsIdentity identity;

    /** For a command that runs without Camel: the call timeouts on two threads of its own. */
    public S3ClientFactory(Duration callTimeout, int maxConnections, RelayAwsIdentity identity) {
        this(callTimeout, maxConnections, identity, ownTimeouts());
    }

    /**
     * @param timeouts where the call timeouts are scheduled, shut down by {@link #close()}: it must drop a cancelled
     *                 task at once, as Camel's scheduled pools do
     */
    public S3ClientFactory(Duration callTimeout, int maxConnections, RelayAwsIdentity identity,
                           ScheduledExecutorService timeouts) {
        this.identity = identity;
        this.callTimeout = callTimeout;
        this.maxConnections = maxConnections;
        this.timeouts = timeouts;
    }

    private static ScheduledExecutorService ownTimeouts() {
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(2, task -> {
            Thread thread = new Thread(task, "s3relay-s3-timeouts-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        return timeouts;
    }

    /** Stops the timeouts' threads, once the clients it built are closed. */
    @Override
    public void close() {
        timeouts.shutdownNow();
    }

    /**
     * A customer's client: upload calls only, with the integration's object options, and an AbortMultipartUpload
     * that never fails the job by itself. Its role credentials, if any, are closed with it.
     */
    @Override
    public S3Client create(Integration integration) {
        S3Connection connection = integration.connection();
        if (connection.role() == null) {
            return new BestEffortAbortS3Client(build(connection, staticCredentials(connection), integration.objectOptions()), null);
        }
        if (identity == null) {
            throw new IllegalStateException("integration " + integration.id() + " has a role, but the relay has no AWS identity");
        }
        var roleCredentials = identity.assume(connection.role());
        return new BestEffortAbortS3Client(build(connection, roleCredentials, integration.objectOptions()), roleCredentials);
    }

    /** The platform's own store, which the relay reads PDFs from. */
    public S3Client createReader(S3Connection store) {
        return build(store, staticCredentials(store), null);
    }

    private static AwsCredentialsProvider staticCredentials(S3Connection connection) {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(connection.accessKeyId(), connection.secretAccessKey()));
    }

    /** @param options a customer's object options, or null for the platform's own store (no call is limited) */
    private S3Client build(S3Connection connection, AwsCredentialsProvider credentials, ObjectOptions options) {
        boolean putObjectOnly = options != null;
        var builder = S3Client.builder()
                .region(Region.of(connection.region()))
                .credentialsProvider(credentials)
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
                        c.addExecutionInterceptor(new ObjectOptionsInterceptor(options));
                    }
                });
        if (connection.endpoint() != null) {
            builder.endpointOverride(connection.endpoint());
        }
        return builder.build();
    }
}
