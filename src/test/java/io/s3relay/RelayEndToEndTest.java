package io.s3relay;

import static io.s3relay.support.RelayFixture.combined;
import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The relay end to end on a real broker and real S3 servers: a submission in, objects and statuses out. */
class RelayEndToEndTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass();

    @Test
    void uploadsTheSeedExamplesUnderTheirDocumentedKeysWithTheSourceBytes() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_seed", account, relay.serverA, bucket, """
                path_template: "{{ template_id }}/{{ submission_id }}.pdf"
                combined_path_template: "merged_pdfs/{{ combined_submission_id }}.pdf"
                """));
        byte[] pdf = randomPdf(50_000);
        byte[] merged = randomPdf(70_000);

        relay.send(submission("sub_Gbxesk7Xf52Pq3KgT9", account, false, relay.pdf(pdf)));
        relay.send(combined("com_Zbetd3ayK4EK3J4Hf4", account, false, relay.pdf(merged)));

        relay.awaitStatus("sub_Gbxesk7Xf52Pq3KgT9", "int_seed", "processed");
        relay.awaitStatus("com_Zbetd3ayK4EK3J4Hf4", "int_seed", "processed");
        assertThat(relay.serverA.objects().read(bucket, "tpl_eGc5CmFbPnCCmerqsx/sub_Gbxesk7Xf52Pq3KgT9.pdf")).isEqualTo(pdf);
        assertThat(relay.serverA.objects().read(bucket, "merged_pdfs/com_Zbetd3ayK4EK3J4Hf4.pdf")).isEqualTo(merged);
        var metadata = relay.serverA.objects().delegate().blobMetadata(bucket, "merged_pdfs/com_Zbetd3ayK4EK3J4Hf4.pdf");
        assertThat(metadata.contentMetadata().contentType()).isEqualTo("application/pdf");
    }

    @Test
    void sendsLiveSubmissionsToLiveAndBothIntegrationsAndTestSubmissionsToTestAndBoth() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(
                integration("int_live", account, relay.serverA, bucket, "path_template: \"live/{{ submission_id }}.pdf\""),
                integration("int_test", account, relay.serverA, bucket, "submission_types: test\npath_template: \"test/{{ submission_id }}.pdf\""),
                integration("int_both", account, relay.serverA, bucket, "submission_types: both\npath_template: \"both/{{ submission_id }}.pdf\""));
        String live = newId("sub");
        String test = newId("sub");

        relay.send(submission(live, account, false, relay.pdf(randomPdf(1000))));
        relay.send(submission(test, account, true, relay.pdf(randomPdf(1000))));

        relay.awaitStatus(live, "int_live", "processed");
        relay.awaitStatus(live, "int_both", "processed");
        relay.awaitStatus(test, "int_test", "processed");
        relay.awaitStatus(test, "int_both", "processed");
        assertThat(integrationsWithStatus(live)).containsExactlyInAnyOrder("int_live", "int_both");
        assertThat(integrationsWithStatus(test)).containsExactlyInAnyOrder("int_test", "int_both");
        assertThat(relay.serverA.objects().read(bucket, "live/" + live + ".pdf")).isNotNull();
        assertThat(relay.serverA.objects().read(bucket, "both/" + live + ".pdf")).isNotNull();
        assertThat(relay.serverA.objects().read(bucket, "test/" + live + ".pdf")).isNull();
        assertThat(relay.serverA.objects().read(bucket, "test/" + test + ".pdf")).isNotNull();
        assertThat(relay.serverA.objects().read(bucket, "both/" + test + ".pdf")).isNotNull();
        assertThat(relay.serverA.objects().read(bucket, "live/" + test + ".pdf")).isNull();
    }

    @Test
    void usesTheTestPathTemplateForTestSubmissionsWhereOneIsSet() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_paths", account, relay.serverA, bucket, """
                submission_types: both
                path_template: "live/{{ submission_id }}.pdf"
                test_path_template: "sandbox/{{ submission_id }}.pdf"
                """));
        String test = newId("sub");

        relay.send(submission(test, account, true, relay.pdf(randomPdf(1000))));

        JsonNode processed = relay.awaitStatus(test, "int_paths", "processed");
        assertThat(processed.at("/result_data/s3_key").asText()).isEqualTo("sandbox/" + test + ".pdf");
        assertThat(relay.serverA.objects().read(bucket, "sandbox/" + test + ".pdf")).isNotNull();
    }

    @Test
    void namesTheObjectByTheTimeTheRelayTookTheSubmissionWhenItHasNoProcessedAt() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_received", account, relay.serverA, bucket,
                "path_template: \"{{ year }}/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        int yearBefore = java.time.Year.now(java.time.ZoneOffset.UTC).getValue();

        relay.send(submission(id, account, false, relay.pdf(randomPdf(1000))).replace("\"processed_at\": \"2018-05-09T09:45:31Z\",", ""));

        JsonNode processed = relay.awaitStatus(id, "int_received", "processed");
        int yearAfter = java.time.Year.now(java.time.ZoneOffset.UTC).getValue();
        assertThat(processed.at("/result_data/s3_key").asText())
                .isIn(yearBefore + "/" + id + ".pdf", yearAfter + "/" + id + ".pdf");
    }

    @Test
    void copiesToTwoIntegrationsOnDifferentServersWithTheirOwnCredentials() {
        String account = newId("acc");
        String bucketA = relay.newBucket(relay.serverA);
        String bucketB = relay.newBucket(relay.serverB);
        relay.addIntegrations(
                integration("int_on_a", account, relay.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_on_b", account, relay.serverB, bucketB, "path_template: \"copies/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        byte[] pdf = randomPdf(20_000);

        relay.send(submission(id, account, false, relay.pdf(pdf)));

        relay.awaitStatus(id, "int_on_a", "processed");
        relay.awaitStatus(id, "int_on_b", "processed");
        assertThat(relay.serverA.objects().read(bucketA, id + ".pdf")).isEqualTo(pdf);
        assertThat(relay.serverB.objects().read(bucketB, "copies/" + id + ".pdf")).isEqualTo(pdf);
    }

    @Test
    void uploadsCombinedPdfsWithTheCombinedTemplateAndSkipsThemWhereItIsBlank() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(
                integration("int_merges", account, relay.serverA, bucket, """
                        path_template: "{{ submission_id }}.pdf"
                        combined_path_template: "merged/{{ year }}/{{ month }}/{{ combined_submission_id }}.pdf"
                        """),
                integration("int_no_merges", account, relay.serverA, bucket, """
                        path_template: "{{ submission_id }}.pdf"
                        combined_path_template: ""
                        """));
        String id = newId("com");

        relay.send(combined(id, account, false, relay.pdf(randomPdf(3000))));

        JsonNode processed = relay.awaitStatus(id, "int_merges", "processed");
        assertThat(processed.at("/result_data/s3_key").asText()).isEqualTo("merged/2018/10/" + id + ".pdf");
        assertThat(processed.has("combined_submission_id")).isTrue();
        assertThat(processed.has("submission_id")).isFalse();
        assertThat(integrationsWithStatus(id)).containsExactly("int_merges");
    }

    @Test
    void publishesNoStatusForAnAccountWithoutIntegrations() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_marker", account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String orphan = newId("sub");
        String marker = newId("sub");

        relay.send(submission(orphan, newId("acc_without_integrations"), false, relay.pdf(randomPdf(100))));
        relay.send(submission(marker, account, false, relay.pdf(randomPdf(100))));

        relay.awaitStatus(marker, "int_marker", "processed");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> relay.statusesOf(orphan).isEmpty());
        assertThat(relay.deadLetters()).noneMatch(d -> d.body().contains(orphan));
    }

    @Test
    void publishesPendingThenProcessedWithTheDocumentedFields() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(integration("int_status", account, relay.serverA, bucket, "path_template: \"{{ template_id }}/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        Instant before = Instant.now().minusSeconds(1);

        relay.send(submission(id, account, false, relay.pdf(randomPdf(5000))));

        JsonNode processed = relay.awaitStatus(id, "int_status", "processed");
        List<JsonNode> statuses = relay.statusesOf(id);
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
                relay.serverA.endpoint() + "/" + bucket + "/tpl_eGc5CmFbPnCCmerqsx/" + id + ".pdf");
        assertThat(result.path("etag").asText()).isNotBlank().doesNotContain("\"");
        assertThat(result.has("version_id")).isTrue();
    }

    @Test
    void sendsNothingButPutObjectToCustomerBuckets() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverB);
        relay.addIntegrations(integration("int_put_only", account, relay.serverB, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String first = newId("sub");
        String second = newId("sub");

        relay.send(submission(first, account, false, relay.pdf(randomPdf(100))));
        relay.send(submission(second, account, false, relay.pdf(randomPdf(100))));

        relay.awaitStatus(first, "int_put_only", "processed");
        relay.awaitStatus(second, "int_put_only", "processed");
        assertThat(relay.serverB.objects().operations().stream().filter(op -> op.endsWith(" " + bucket)))
                .containsExactly("PutObject " + bucket, "PutObject " + bucket);
    }

    private List<String> integrationsWithStatus(String id) {
        return relay.statusesOf(id).stream().map(s -> s.path("integration_id").asText()).distinct().toList();
    }
}
