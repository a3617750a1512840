package io.s3relay;

import static io.s3relay.support.RelayFixture.combined;
import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay end to end on a real broker and real S3 servers: a submission in, objects and statuses out. On the
 * test kit, with one relay for the class (no test advises a route, and each waits until the submissions route is
 * done with what it sent); a mock beside the statuses queue shows what the routes sent there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayEndToEndTest extends RelayRouteTestSupport {

    @Override
    public String isMockEndpoints() {
        return "jms:queue:s3relay.actions*";
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    private NotifyBuilder submissionsDone(int count) {
        return new NotifyBuilder(context).fromRoute("submissions").whenDone(count).create();
    }

    private static void await(NotifyBuilder done) {
        assertThat(done.matches(30, TimeUnit.SECONDS)).as("the submissions route done").isTrue();
    }

    @Test
    void uploadsTheSeedExamplesUnderTheirDocumentedKeysWithTheSourceBytes() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_seed", account, servers.serverA, bucket, """
                path_template: "{{ template_id }}/{{ submission_id }}.pdf"
                combined_path_template: "merged_pdfs/{{ combined_submission_id }}.pdf"
                """));
        byte[] pdf = randomPdf(50_000);
        byte[] merged = randomPdf(70_000);
        NotifyBuilder done = submissionsDone(2);

        servers.send(submission("sub_Gbxesk7Xf52Pq3KgT9", account, false, servers.pdf(pdf)));
        servers.send(combined("com_Zbetd3ayK4EK3J4Hf4", account, false, servers.pdf(merged)));
        await(done);

        servers.awaitStatus("sub_Gbxesk7Xf52Pq3KgT9", "int_seed", "processed");
        servers.awaitStatus("com_Zbetd3ayK4EK3J4Hf4", "int_seed", "processed");
        assertThat(servers.serverA.objects().read(bucket, "tpl_eGc5CmFbPnCCmerqsx/sub_Gbxesk7Xf52Pq3KgT9.pdf")).isEqualTo(pdf);
        assertThat(servers.serverA.objects().read(bucket, "merged_pdfs/com_Zbetd3ayK4EK3J4Hf4.pdf")).isEqualTo(merged);
        var metadata = servers.serverA.objects().delegate().blobMetadata(bucket, "merged_pdfs/com_Zbetd3ayK4EK3J4Hf4.pdf");
        assertThat(metadata.contentMetadata().contentType()).isEqualTo("application/pdf");
    }

    @Test
    void sendsLiveSubmissionsToLiveAndBothIntegrationsAndTestSubmissionsToTestAndBoth() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_live", account, servers.serverA, bucket, "path_template: \"live/{{ submission_id }}.pdf\""),
                integration("int_test", account, servers.serverA, bucket, "submission_types: test\npath_template: \"test/{{ submission_id }}.pdf\""),
                integration("int_both", account, servers.serverA, bucket, "submission_types: both\npath_template: \"both/{{ submission_id }}.pdf\""));
        String live = newId("sub");
        String test = newId("sub");
        NotifyBuilder done = submissionsDone(2);

        servers.send(submission(live, account, false, servers.pdf(randomPdf(1000))));
        servers.send(submission(test, account, true, servers.pdf(randomPdf(1000))));
        await(done);

        servers.awaitStatus(live, "int_live", "processed");
        servers.awaitStatus(live, "int_both", "processed");
        servers.awaitStatus(test, "int_test", "processed");
        servers.awaitStatus(test, "int_both", "processed");
        assertThat(integrationsWithStatus(live)).containsExactlyInAnyOrder("int_live", "int_both");
        assertThat(integrationsWithStatus(test)).containsExactlyInAnyOrder("int_test", "int_both");
        assertThat(servers.serverA.objects().read(bucket, "live/" + live + ".pdf")).isNotNull();
        assertThat(servers.serverA.objects().read(bucket, "both/" + live + ".pdf")).isNotNull();
        assertThat(servers.serverA.objects().read(bucket, "test/" + live + ".pdf")).isNull();
        assertThat(servers.serverA.objects().read(bucket, "test/" + test + ".pdf")).isNotNull();
        assertThat(servers.serverA.objects().read(bucket, "both/" + test + ".pdf")).isNotNull();
        assertThat(servers.serverA.objects().read(bucket, "live/" + test + ".pdf")).isNull();
    }

    @Test
    void usesTheTestPathTemplateForTestSubmissionsWhereOneIsSet() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_paths", account, servers.serverA, bucket, """
                submission_types: both
                path_template: "live/{{ submission_id }}.pdf"
                test_path_template: "sandbox/{{ submission_id }}.pdf"
                """));
        String test = newId("sub");
        NotifyBuilder done = submissionsDone(1);

        servers.send(submission(test, account, true, servers.pdf(randomPdf(1000))));
        await(done);

        JsonNode processed = servers.awaitStatus(test, "int_paths", "processed");
        assertThat(processed.at("/result_data/s3_key").asText()).isEqualTo("sandbox/" + test + ".pdf");
        assertThat(servers.serverA.objects().read(bucket, "sandbox/" + test + ".pdf")).isNotNull();
    }

    @Test
    void namesTheObjectByTheTimeTheRelayTookTheSubmissionWhenItHasNoProcessedAt() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_received", account, servers.serverA, bucket,
                "path_template: \"{{ year }}/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        int yearBefore = java.time.Year.now(java.time.ZoneOffset.UTC).getValue();
        NotifyBuilder done = submissionsDone(1);

        servers.send(submission(id, account, false, servers.pdf(randomPdf(1000))).replace("\"processed_at\": \"2018-05-09T09:45:31Z\",", ""));
        await(done);

        JsonNode processed = servers.awaitStatus(id, "int_received", "processed");
        int yearAfter = java.time.Year.now(java.time.ZoneOffset.UTC).getValue();
        assertThat(processed.at("/result_data/s3_key").asText())
                .isIn(yearBefore + "/" + id + ".pdf", yearAfter + "/" + id + ".pdf");
    }

    @Test
    void copiesToTwoIntegrationsOnDifferentServersWithTheirOwnCredentials() {
        String account = newId("acc");
        String bucketA = servers.newBucket(servers.serverA);
        String bucketB = servers.newBucket(servers.serverB);
        addIntegrations(
                integration("int_on_a", account, servers.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_on_b", account, servers.serverB, bucketB, "path_template: \"copies/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        byte[] pdf = randomPdf(20_000);
        NotifyBuilder done = submissionsDone(1);

        servers.send(submission(id, account, false, servers.pdf(pdf)));
        await(done);

        servers.awaitStatus(id, "int_on_a", "processed");
        servers.awaitStatus(id, "int_on_b", "processed");
        assertThat(servers.serverA.objects().read(bucketA, id + ".pdf")).isEqualTo(pdf);
        assertThat(servers.serverB.objects().read(bucketB, "copies/" + id + ".pdf")).isEqualTo(pdf);
    }

    @Test
    void uploadsCombinedPdfsWithTheCombinedTemplateAndSkipsThemWhereItIsBlank() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_merges", account, servers.serverA, bucket, """
                        path_template: "{{ submission_id }}.pdf"
                        combined_path_template: "merged/{{ year }}/{{ month }}/{{ combined_submission_id }}.pdf"
                        """),
                integration("int_no_merges", account, servers.serverA, bucket, """
                        path_template: "{{ submission_id }}.pdf"
                        combined_path_template: ""
                        """));
        String id = newId("com");
        NotifyBuilder done = submissionsDone(1);

        servers.send(combined(id, account, false, servers.pdf(randomPdf(3000))));
        await(done);

        JsonNode processed = servers.awaitStatus(id, "int_merges", "processed");
        assertThat(processed.at("/result_data/s3_key").asText()).isEqualTo("merged/2018/10/" + id + ".pdf");
        assertThat(processed.has("combined_submission_id")).isTrue();
        assertThat(processed.has("submission_id")).isFalse();
        assertThat(integrationsWithStatus(id)).containsExactly("int_merges");
    }

    @Test
    void publishesNoStatusForAnAccountWithoutIntegrations() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_marker", account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String orphan = newId("sub");
        String marker = newId("sub");
        NotifyBuilder done = submissionsDone(2);
        NotifyBuilder deadLettered = new NotifyBuilder(context).fromRoute("submissions")
                .wereSentTo("direct:dead-letter").whenDone(1).create();

        servers.send(submission(orphan, newId("acc_without_integrations"), false, servers.pdf(randomPdf(100))));
        servers.send(submission(marker, account, false, servers.pdf(randomPdf(100))));
        await(done);

        servers.awaitStatus(marker, "int_marker", "processed");
        // both exchanges are done: whatever the orphan's would send, it has sent
        assertThat(getMockEndpoint("mock:jms:queue:s3relay.actions").getReceivedExchanges())
                .noneMatch(e -> e.getMessage().getBody(String.class).contains(orphan));
        assertThat(deadLettered.matches()).as("nothing dead-lettered").isFalse();
        assertThat(servers.statusesOf(orphan)).isEmpty();
        assertThat(servers.deadLetters()).noneMatch(d -> d.body().contains(orphan));
    }

    @Test
    void publishesPendingThenProcessedWithTheDocumentedFields() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_status", account, servers.serverA, bucket, "path_template: \"{{ template_id }}/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        Instant before = Instant.now().minusSeconds(1);
        NotifyBuilder done = submissionsDone(1);

        servers.send(submission(id, account, false, servers.pdf(randomPdf(5000))));
        await(done);

        JsonNode processed = servers.awaitStatus(id, "int_status", "processed");
        List<JsonNode> statuses = servers.statusesOf(id);
        assertThat(statuses).extracting(s -> s.path("state").asText()).containsExactly("pending", "processed");
        JsonNode pending = statuses.get(0);
        for (JsonNode status : statuses) {
            assertThat(status.path("action_type").asText()).isEqualTo("aws_s3_upload");
            assertThat(status.path("integration_id").asText()).isEqualTo("int_status");
            assertThat(status.path("account_id").asText()).isEqualTo(account);
            assertThat(status.path("submission_id").asText()).isEqualTo(id);
            assertThat(status.path("test").asBoolean(true)).isFalse();
            assertThat(Instant.parse(status.path("timestamp").asText())).isAfter(before);
            assertThat(status.has("error")).isTrue();
            assertThat(status.path("error").isNull()).isTrue();
        }
        assertThat(pending.path("attempts").asInt()).isZero();
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        JsonNode result = processed.path("result_data");
        assertThat(result.path("s3_bucket").asText()).isEqualTo(bucket);
        assertThat(result.path("s3_key").asText()).isEqualTo("tpl_eGc5CmFbPnCCmerqsx/" + id + ".pdf");
        assertThat(result.path("s3_region").asText()).isEqualTo("us-east-1");
        assertThat(result.path("s3_url").asText()).isEqualTo(
                servers.serverA.endpoint() + "/" + bucket + "/tpl_eGc5CmFbPnCCmerqsx/" + id + ".pdf");
        assertThat(result.path("etag").asText()).isNotBlank().doesNotContain("\"");
        assertThat(result.has("version_id")).isTrue();
    }

    @Test
    void sendsNothingButPutObjectToCustomerBuckets() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverB);
        addIntegrations(integration("int_put_only", account, servers.serverB, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String first = newId("sub");
        String second = newId("sub");
        NotifyBuilder done = submissionsDone(2);

        servers.send(submission(first, account, false, servers.pdf(randomPdf(100))));
        servers.send(submission(second, account, false, servers.pdf(randomPdf(100))));
        await(done);

        servers.awaitStatus(first, "int_put_only", "processed");
        servers.awaitStatus(second, "int_put_only", "processed");
        assertThat(servers.serverB.objects().operations().stream().filter(op -> op.endsWith(" " + bucket)))
                .containsExactly("PutObject " + bucket, "PutObject " + bucket);
    }

    private List<String> integrationsWithStatus(String id) {
        return servers.statusesOf(id).stream().map(s -> s.path("integration_id").asText()).distinct().toList();
    }
}
