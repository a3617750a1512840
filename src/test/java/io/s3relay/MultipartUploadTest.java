package io.s3relay;

import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PDFs from s3relay.upload.multipart-threshold up go to the customer's bucket as a multipart upload (the calls
 * that s3:PutObject covers), stored byte for byte; smaller ones stay a single PutObject. The threshold and the
 * parts are S3's smallest, 5 MiB, so that the PDFs stay small. One relay for the class: no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultipartUploadTest extends RelayRouteTestSupport {

    private static final int MIB = 1024 * 1024;

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.upload.multipart-threshold", String.valueOf(5 * MIB),
                "s3relay.upload.part-size", String.valueOf(5 * MIB));
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void uploadsAPdfAboveTheThresholdInPartsByteForByte() {
        Tenant large = tenant(servers.serverA, TEMPLATE);
        String bucket = large.bucket();
        byte[] pdf = randomPdf(12 * MIB + 12_345);
        String id = newId("sub");

        servers.send(submission(id, large.account(), false, servers.pdf(pdf)));

        JsonNode processed = servers.awaitStatus(id, large.integration(), "processed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        assertThat(processed.path("result_data").path("etag").asText()).endsWith("-3");
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
        var metadata = servers.serverA.objects().delegate().blobMetadata(bucket, id + ".pdf");
        assertThat(metadata.contentMetadata().contentType()).isEqualTo("application/pdf");
        // 5 + 5 + 2 MiB: every part but the last at least S3's 5 MiB
        assertThat(operationsOn(servers.serverA, bucket)).containsExactly("CreateMultipartUpload " + bucket,
                "UploadPart " + bucket, "UploadPart " + bucket, "UploadPart " + bucket, "CompleteMultipartUpload " + bucket);
    }

    @Test
    void keepsAPdfBelowTheThresholdOnOnePutObject() {
        Tenant small = tenant(servers.serverA, TEMPLATE);
        String bucket = small.bucket();
        byte[] pdf = randomPdf(5 * MIB - 1);
        String id = newId("sub");

        servers.send(submission(id, small.account(), false, servers.pdf(pdf)));

        servers.awaitStatus(id, small.integration(), "processed");
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
        assertThat(operationsOn(servers.serverA, bucket)).containsExactly("PutObject " + bucket);
    }

    @Test
    void retriesAPartAnswered503EvenWhenTheBucketRefusesTheAbort() {
        // server B for this test alone: its refusals apply to every bucket on it
        Tenant flaky = tenant(servers.serverB, TEMPLATE);
        String bucket = flaky.bucket();
        byte[] pdf = randomPdf(11 * MIB);
        String id = newId("sub");
        servers.serverB.objects().refuse("UploadPart", 503, 1);
        // a customer who granted s3:PutObject but not s3:AbortMultipartUpload
        servers.serverB.objects().refuse("AbortMultipartUpload", 403, 1);

        servers.send(submission(id, flaky.account(), false, servers.pdf(pdf)));

        // the 503 decides: retried (not dead-lettered for the abort's AccessDenied), and the second attempt stores it
        JsonNode processed = servers.awaitStatus(id, flaky.integration(), "processed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        assertThat(servers.statusesOf(id)).noneMatch(s -> s.path("state").asText().equals("failed"));
        assertThat(servers.serverB.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
        List<String> operations = operationsOn(servers.serverB, bucket);
        assertThat(operations.subList(0, 3)).containsExactly("CreateMultipartUpload " + bucket, "UploadPart " + bucket,
                "AbortMultipartUpload " + bucket);
        assertThat(Collections.frequency(operations, "CompleteMultipartUpload " + bucket)).isEqualTo(1);
    }

    @Test
    void refusesToStartWithPartsOutsideS3sLimits() {
        long gib = 1024L * MIB;
        RelayConfiguration.checkMultipartSettings(64L * MIB, 16L * MIB, 5 * gib);
        assertThatThrownBy(() -> RelayConfiguration.checkMultipartSettings(64L * MIB, 4L * MIB, 5 * gib))
                .hasMessageContaining("between 5 MiB and 5 GiB");
        assertThatThrownBy(() -> RelayConfiguration.checkMultipartSettings(8L * MIB, 16L * MIB, 5 * gib))
                .hasMessageContaining("at least s3relay.upload.part-size");
        assertThatThrownBy(() -> RelayConfiguration.checkMultipartSettings(64L * MIB, 5L * MIB, 100 * gib))
                .hasMessageContaining("at most 10,000 parts");
    }

    private static List<String> operationsOn(RelayFixture.S3Server server, String bucket) {
        return server.objects().operations().stream().filter(op -> op.endsWith(" " + bucket)).toList();
    }
}
