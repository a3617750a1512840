package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * A copy to an integration whose uploads are not failing, of a PDF up to s3relay.upload.inline-max-bytes, is
 * uploaded within its submission's transaction; a larger one, or one that fails there, goes as an upload job. The
 * jobs the submissions route sends are watched with a mock endpoint beside the real queue.
 */
class UploadWithinSubmissionTest extends RelayRouteTestSupport {

    private MockEndpoint jobs;

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.upload.inline-max-bytes", "20000");
    }

    /** Every message sent to the upload jobs queue also reaches mock:jms:queue:s3relay.uploads. */
    @Override
    public String isMockEndpoints() {
        return "jms:queue:s3relay.uploads*";
    }

    private void start() throws Exception {
        context.start();
        jobs = getMockEndpoint("mock:jms:queue:s3relay.uploads");
    }

    @Test
    void uploadsEachCopyWithinItsSubmissionAndSendsNoJob() throws Exception {
        start();
        String account = newId("acc");
        String bucketA = servers.newBucket(servers.serverA);
        String bucketB = servers.newBucket(servers.serverB);
        addIntegrations(
                integration("int_a_" + account, account, servers.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_b_" + account, account, servers.serverB, bucketB, "path_template: \"{{ submission_id }}.pdf\""));
        byte[] pdf = randomPdf(5_000);
        String id = newId("sub");
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("submissions").whenDone(1).create();

        servers.send(submission(id, account, false, servers.pdf(pdf)));

        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        servers.awaitStatus(id, "int_a_" + account, "processed");
        servers.awaitStatus(id, "int_b_" + account, "processed");
        assertThat(statesOf(id, "int_a_" + account)).containsExactly("pending", "processed");
        assertThat(statesOf(id, "int_b_" + account)).containsExactly("pending", "processed");
        assertThat(servers.serverA.objects().read(bucketA, id + ".pdf")).isEqualTo(pdf);
        assertThat(servers.serverB.objects().read(bucketB, id + ".pdf")).isEqualTo(pdf);
        assertThat(jobs.getReceivedCounter()).as("jobs sent").isZero();
    }

    @Test
    void sendsTheCopyOfAPdfAboveTheLimitAsAJob() throws Exception {
        start();
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_" + account, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        byte[] pdf = randomPdf(30_000);
        String id = newId("sub");
        NotifyBuilder uploaded = new NotifyBuilder(context).fromRoute("uploads").whenDone(1).create();

        servers.send(submission(id, account, false, servers.pdf(pdf)));

        assertThat(uploaded.matches(30, TimeUnit.SECONDS)).isTrue();
        servers.awaitStatus(id, "int_" + account, "processed");
        assertThat(statesOf(id, "int_" + account)).containsExactly("pending", "processed");
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
        assertThat(jobs.getReceivedCounter()).as("jobs sent").isEqualTo(1);
        assertThat(putObjects(servers.serverA, bucket)).as("a copy not tried within its submission").isEqualTo(1);
    }

    @Test
    void retriesACopyThatFailedWithinItsSubmissionAsItsJobsSecondAttempt() throws Exception {
        start();
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_" + account, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        servers.serverA.objects().refuse("PutObject", 503, 1);
        NotifyBuilder retried = new NotifyBuilder(context).fromRoute("uploads").whenDone(1).create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(1_000))));

        assertThat(retried.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode processed = servers.awaitStatus(id, "int_" + account, "processed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        assertThat(statesOf(id, "int_" + account)).containsExactly("pending", "processed");
        assertThat(putObjects(servers.serverA, bucket)).isEqualTo(2);
        assertThat(jobs.getReceivedCounter()).as("jobs sent").isEqualTo(1);
        assertThat(jobs.getReceivedExchanges().get(0).getMessage().getHeader("s3relay_attempt")).isEqualTo(2);
    }

    @Test
    void deadLettersACopyThatFailedForGoodWithinItsSubmissionAsAJobToReplay() throws Exception {
        start();
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = "int_" + account;
        addIntegrations(integration(integrationId, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        servers.serverA.objects().refuse("PutObject", 403, 1);
        NotifyBuilder deadLettered = new NotifyBuilder(context).fromRoute("submissions").whenDone(1)
                .wereSentTo("direct:dead-letter").create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(1_000))));

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(statesOf(id, integrationId)).containsExactly("pending", "failed");
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        // the job, so that a replay sends it to the upload jobs queue (no source queue: replay picks it by its body)
        assertThat(letter.body()).contains("\"integration_id\":\"" + integrationId + "\"");
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent")
                .containsEntry("s3relay_route", "submissions").doesNotContainKey("s3relay_source_queue");
        assertThat(putObjects(servers.serverA, bucket)).isEqualTo(1);
        assertThat(jobs.getReceivedCounter()).as("jobs sent").isZero();
    }

    private static List<String> statesOf(String submissionId, String integrationId) {
        return servers.statusesOf(submissionId).stream()
                .filter(s -> integrationId.equals(s.path("integration_id").asText()))
                .map(s -> s.path("state").asText()).toList();
    }

    /**
     * A copy whose PDF cannot be read gives its place back like any other: after more such copies than the
     * account's share of the submission consumers (7 of 8), its next copy still goes within its submission.
     */
    @Test
    void givesThePlaceBackWhenThePdfCannotBeRead() throws Exception {
        start();
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String missing = servers.dir.resolve("pdfs").resolve("missing-" + newId("f") + ".pdf").toUri().toString();
        NotifyBuilder unreadable = new NotifyBuilder(context).fromRoute("submissions").whenDone(10).create();
        for (int i = 0; i < 10; i++) {
            servers.send(submission(newId("sub"), tenant.account(), false, missing));
        }
        assertThat(unreadable.matches(30, TimeUnit.SECONDS)).as("10 submissions with an unreadable PDF done").isTrue();

        String id = newId("sub");
        servers.send(submission(id, tenant.account(), false, servers.pdf(randomPdf(1_000))));

        servers.awaitStatus(id, tenant.integration(), "processed");
        assertThat(jobs.getReceivedCounter()).as("copies sent on as jobs").isZero();
    }

    static long putObjects(RelayFixture.S3Server server, String bucket) {
        return server.objects().operations().stream().filter(("PutObject " + bucket)::equals).count();
    }
}
