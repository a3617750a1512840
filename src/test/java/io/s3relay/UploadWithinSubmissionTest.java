package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A copy to an integration whose uploads are not failing, of a PDF up to s3relay.upload.inline-max-bytes, is
 * uploaded within its submission's transaction; a larger one, or one that fails there, goes as an upload job.
 */
class UploadWithinSubmissionTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass(Map.of("s3relay.upload.inline-max-bytes", "20000"));

    @Test
    void uploadsEachCopyWithinItsSubmissionAndSendsNoJob() {
        String account = newId("acc");
        String bucketA = relay.newBucket(relay.serverA);
        String bucketB = relay.newBucket(relay.serverB);
        relay.addIntegrations(
                integration("int_a_" + account, account, relay.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_b_" + account, account, relay.serverB, bucketB, "path_template: \"{{ submission_id }}.pdf\""));
        byte[] pdf = randomPdf(5_000);
        String id = newId("sub");
        long jobsBefore = jobsSent(relay);

        relay.send(submission(id, account, false, relay.pdf(pdf)));

        relay.awaitStatus(id, "int_a_" + account, "processed");
        relay.awaitStatus(id, "int_b_" + account, "processed");
        assertThat(statesOf(id, "int_a_" + account)).containsExactly("pending", "processed");
        assertThat(statesOf(id, "int_b_" + account)).containsExactly("pending", "processed");
        assertThat(relay.serverA.objects().read(bucketA, id + ".pdf")).isEqualTo(pdf);
        assertThat(relay.serverB.objects().read(bucketB, id + ".pdf")).isEqualTo(pdf);
        // a job would have been committed with the processed statuses
        assertThat(jobsSent(relay)).isEqualTo(jobsBefore);
    }

    @Test
    void sendsTheCopyOfAPdfAboveTheLimitAsAJob() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_" + account, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        byte[] pdf = randomPdf(30_000);
        String id = newId("sub");
        long jobsBefore = jobsSent(relay);

        relay.send(submission(id, account, false, relay.pdf(pdf)));

        relay.awaitStatus(id, "int_" + account, "processed");
        assertThat(statesOf(id, "int_" + account)).containsExactly("pending", "processed");
        assertThat(relay.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
        assertThat(jobsSent(relay)).isEqualTo(jobsBefore + 1);
        assertThat(putObjects(relay.serverA, bucket)).as("a copy not tried within its submission").isEqualTo(1);
    }

    @Test
    void retriesACopyThatFailedWithinItsSubmissionAsItsJobsSecondAttempt() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_" + account, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        long jobsBefore = jobsSent(relay);
        relay.serverA.objects().refuse("PutObject", 503, 1);

        relay.send(submission(id, account, false, relay.pdf(randomPdf(1_000))));

        JsonNode processed = relay.awaitStatus(id, "int_" + account, "processed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        assertThat(statesOf(id, "int_" + account)).containsExactly("pending", "processed");
        assertThat(putObjects(relay.serverA, bucket)).isEqualTo(2);
        assertThat(jobsSent(relay)).isEqualTo(jobsBefore + 1);
    }

    @Test
    void deadLettersACopyThatFailedForGoodWithinItsSubmissionAsAJobToReplay() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = "int_" + account;
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        long jobsBefore = jobsSent(relay);
        relay.serverA.objects().refuse("PutObject", 403, 1);

        relay.send(submission(id, account, false, relay.pdf(randomPdf(1_000))));

        JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(statesOf(id, integrationId)).containsExactly("pending", "failed");
        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id));
        // the job, so that a replay sends it to the upload jobs queue (no source queue: replay picks it by its body)
        assertThat(letter.body()).contains("\"integration_id\":\"" + integrationId + "\"");
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent")
                .containsEntry("s3relay_route", "submissions").doesNotContainKey("s3relay_source_queue");
        assertThat(putObjects(relay.serverA, bucket)).isEqualTo(1);
        assertThat(jobsSent(relay)).isEqualTo(jobsBefore);
    }

    @Test
    void sendsEveryCopyAsAJobWhenTheLimitIsZero() throws Exception {
        try (RelayFixture jobsOnly = RelayFixture.start(Map.of("s3relay.upload.inline-max-bytes", "0"))) {
            String account = newId("acc");
            String bucket = jobsOnly.newBucket(jobsOnly.serverA);
            jobsOnly.addIntegrations(
                    integration("int_1", account, jobsOnly.serverA, bucket, "path_template: \"1/{{ submission_id }}.pdf\""),
                    integration("int_2", account, jobsOnly.serverA, bucket, "path_template: \"2/{{ submission_id }}.pdf\""));
            String id = newId("sub");

            jobsOnly.send(submission(id, account, false, jobsOnly.pdf(randomPdf(1_000))));

            jobsOnly.awaitStatus(id, "int_1", "processed");
            jobsOnly.awaitStatus(id, "int_2", "processed");
            assertThat(jobsSent(jobsOnly)).isEqualTo(2);
        }
    }

    private static long jobsSent(RelayFixture relay) {
        return relay.queueStatistics("s3relay.uploads").getEnqueues().getCount();
    }

    private static List<String> statesOf(String submissionId, String integrationId) {
        return relay.statusesOf(submissionId).stream()
                .filter(s -> integrationId.equals(s.path("integration_id").asText()))
                .map(s -> s.path("state").asText()).toList();
    }

    private static long putObjects(RelayFixture.S3Server server, String bucket) {
        return server.objects().operations().stream().filter(("PutObject " + bucket)::equals).count();
    }
}
