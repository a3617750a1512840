package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;

import io.s3relay.config.Integration;
import io.s3relay.config.ObjectOptions;
import io.s3relay.config.SubmissionTypes;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.RecordingBlobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * A customer's S3 client, on a real s3proxy server: it sends PutObject and the multipart upload calls that
 * s3:PutObject covers, lets a failed AbortMultipartUpload pass, and refuses every other call without sending it.
 */
class CustomerClientTest {

    private static final String BUCKET = "customer-bucket";

    static RecordingBlobStore objects;
    static LocalS3Store store;

    private S3ClientFactory factory;
    private S3Client client;

    @BeforeAll
    static void startServer() throws Exception {
        objects = new RecordingBlobStore(LocalS3Store.storeIn(null));
        store = new LocalS3Store(objects, "127.0.0.1", 0, "client-key", "client-secret").start();
        objects.delegate().createContainer(BUCKET, CreateContainerOptions.NONE);
    }

    @AfterAll
    static void stopServer() throws Exception {
        store.close();
    }

    @BeforeEach
    void createClient() {
        factory = new S3ClientFactory(Duration.ofSeconds(30), 2, null);
        client = factory.create(integration());
    }

    @AfterEach
    void closeClient() {
        client.close();
        factory.close();
    }

    @Test
    void leavesNoCallTimeoutBehindOnceAnUploadEnds() {
        uploadSmallObjects(client);

        // each call scheduled its 30 s timeout; a finished call's timeout must not wait on the heap until it is due
        assertThat(pendingTimeouts(client)).isZero();
    }

    @Test
    void leavesNoCallTimeoutBehindOnTheRelaysCamelSchedulerEither() throws Exception {
        try (CamelContext camel = new DefaultCamelContext();
                S3ClientFactory relays = new S3ClientFactory(Duration.ofSeconds(30), 2, null,
                        camel.getExecutorServiceManager().newScheduledThreadPool(this, "s3relay-s3-timeouts", 2));
                S3Client relayClient = relays.create(integration())) {
            uploadSmallObjects(relayClient);

            assertThat(pendingTimeouts(relayClient)).isZero();
        }
    }

    private static Integration integration() {
        return new Integration("int_client", "acc_client", BUCKET, "us-east-1", "client-key", "client-secret", null,
                store.endpoint(), true, SubmissionTypes.LIVE, "{{ submission_id }}.pdf", null, null, ObjectOptions.NONE);
    }

    private static void uploadSmallObjects(S3Client client) {
        for (int i = 0; i < 20; i++) {
            client.putObject(b -> b.bucket(BUCKET).key("timeouts/" + UUID.randomUUID() + ".pdf"), RequestBody.fromBytes(new byte[100]));
        }
    }

    /** Call timeouts scheduled and not yet ended, cancelled or fired, on the scheduler the client was built with. */
    private static int pendingTimeouts(S3Client client) {
        ScheduledExecutorService timeouts = ScheduledExecutorUtils.unwrapUnmanagedScheduledExecutor(
                client.serviceClientConfiguration().overrideConfiguration().scheduledExecutorService().orElseThrow());
        ScheduledThreadPoolExecutor pool = timeouts instanceof SizedScheduledExecutorService sized
                ? sized.getScheduledThreadPoolExecutor() : (ScheduledThreadPoolExecutor) timeouts;
        return pool.getQueue().size();
    }

    @Test
    void refusesEveryCallButUploadsWithoutSendingIt() {
        int before = objects.operations().size();
        List<Consumer<S3Client>> calls = List.of(
                c -> c.headBucket(b -> b.bucket(BUCKET)),
                c -> c.listObjectsV2(b -> b.bucket(BUCKET)),
                c -> c.getObject(b -> b.bucket(BUCKET).key("a.pdf")),
                c -> c.headObject(b -> b.bucket(BUCKET).key("a.pdf")),
                c -> c.deleteObject(b -> b.bucket(BUCKET).key("a.pdf")),
                c -> c.createBucket(b -> b.bucket("another")),
                c -> c.listMultipartUploads(b -> b.bucket(BUCKET)),
                c -> c.listParts(b -> b.bucket(BUCKET).key("a.pdf").uploadId("u")),
                c -> c.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("a.pdf").destinationBucket(BUCKET).destinationKey("b.pdf")),
                c -> c.uploadPartCopy(b -> b.sourceBucket(BUCKET).sourceKey("a.pdf").destinationBucket(BUCKET)
                        .destinationKey("b.pdf").uploadId("u").partNumber(1)));
        for (Consumer<S3Client> call : calls) {
            assertThatThrownBy(() -> call.accept(client)).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                assertThat(e.getMessage()).contains("was not sent");
            });
        }
        assertThat(objects.operations().subList(before, objects.operations().size())).isEmpty();
    }

    @Test
    void sendsPutObjectAndTheMultipartUploadCalls() {
        int before = objects.operations().size();
        client.putObject(b -> b.bucket(BUCKET).key("single.pdf"), RequestBody.fromString("%PDF-1.4 single"));
        String upload = client.createMultipartUpload(b -> b.bucket(BUCKET).key("parts.pdf")).uploadId();
        String etag = client.uploadPart(b -> b.bucket(BUCKET).key("parts.pdf").uploadId(upload).partNumber(1),
                RequestBody.fromString("%PDF-1.4 in parts")).eTag();
        client.completeMultipartUpload(b -> b.bucket(BUCKET).key("parts.pdf").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        String abandoned = client.createMultipartUpload(b -> b.bucket(BUCKET).key("abandoned.pdf")).uploadId();
        client.abortMultipartUpload(b -> b.bucket(BUCKET).key("abandoned.pdf").uploadId(abandoned));

        assertThat(objects.read(BUCKET, "parts.pdf")).asString().isEqualTo("%PDF-1.4 in parts");
        assertThat(objects.operations().subList(before, objects.operations().size())).containsExactly(
                "PutObject " + BUCKET, "CreateMultipartUpload " + BUCKET, "UploadPart " + BUCKET,
                "CompleteMultipartUpload " + BUCKET, "CreateMultipartUpload " + BUCKET, "AbortMultipartUpload " + BUCKET);
    }

    @Test
    void anAbortTheBucketRefusesDoesNotFail() {
        String upload = client.createMultipartUpload(b -> b.bucket(BUCKET).key("kept.pdf")).uploadId();
        objects.refuse("AbortMultipartUpload", 403, 1);

        client.abortMultipartUpload(b -> b.bucket(BUCKET).key("kept.pdf").uploadId(upload));

        assertThat(objects.operations()).last().isEqualTo("AbortMultipartUpload " + BUCKET);
    }
}
