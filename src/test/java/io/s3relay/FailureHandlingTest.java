package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayFixture.S3Server;
import io.s3relay.support.RegionalEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failures end in a failed status and a dead letter, never block what follows, and retry only what may recover. */
class FailureHandlingTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass();

    @Test
    void deadLettersMessageThatIsNotJsonAndProcessesTheOneBehindIt() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String garbage = "this is not json " + newId("x");
        String good = newId("sub");

        relay.send(garbage);
        relay.send(submission(good, account, false, relay.pdf(randomPdf(100))));

        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().equals(garbage));
        assertThat(letter.headers().get("s3relay_error_class")).isEqualTo("permanent");
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("not valid JSON");
        assertThat(letter.headers().get("s3relay_attempts")).isEqualTo(1);
        relay.awaitStatus(good, integrationId, "processed");
        assertThat(relay.serverA.objects().read(bucket, good + ".pdf")).isNotNull();

    }

    @Test
    void deadLettersSubmissionWithoutAccountWithFailedStatusNamingTheProblem() {
        String id = newId("sub");
        String body = "{\"submission\": {\"id\": \"" + id + "\", \"download_url\": \"file:///nowhere.pdf\"}}";

        relay.send(body);

        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().equals(body));
        assertThat((String) letter.headers().get("s3relay_error_message")).isEqualTo("submission.account_id is missing");
        JsonNode failed = relay.awaitStatus(id, null, "failed");
        assertThat(failed.path("error").asText()).isEqualTo("submission.account_id is missing");
    }

    @Test
    void failsAtOnceWhenTheSourcePdfDoesNotExist() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.dir.resolve("pdfs").toUri() + "missing-" + id + ".pdf"));

        JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("does not exist");
        assertThat(failed.at("/result_data/s3_key").asText()).isEqualTo(id + ".pdf");
        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_integration_id", integrationId)
                .containsEntry("s3relay_error_class", "permanent").containsEntry("s3relay_attempts", 1);
        assertThat(letter.body()).contains("\"integration_id\":\"" + integrationId + "\"");
    }

    @Test
    void failsWrongCredentialsAfterOneAttemptWhileTheAccountsOtherIntegrationIsProcessed() {
        String account = newId("acc");
        String bucketA = relay.newBucket(relay.serverA);
        String bucketB = relay.newBucket(relay.serverB);
        S3Server wrongSecret = new S3Server("b", relay.serverB.store(), relay.serverB.objects(),
                relay.serverB.accessKey(), "not-the-secret");
        relay.addIntegrations(
                integration("int_good_" + account, account, relay.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_bad_" + account, account, wrongSecret, bucketB, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

        relay.awaitStatus(id, "int_good_" + account, "processed");
        JsonNode failed = relay.awaitStatus(id, "int_bad_" + account, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("403").contains("SignatureDoesNotMatch");
        assertThat(failed.toString()).doesNotContain("not-the-secret");
        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_integration_id", "int_bad_" + account);
        assertThat(letter.toString()).doesNotContain("not-the-secret");
        assertThat(relay.serverB.objects().read(bucketB, id + ".pdf")).isNull();
    }

    @Test
    void failsAWrongRegionAfterOneAttemptAndDeadLettersIt() throws Exception {
        try (RegionalEndpoint frankfurt = new RegionalEndpoint("eu-central-1")) {
            String account = newId("acc");
            String integrationId = newId("int");
            relay.addIntegrations(integration(integrationId, account, relay.serverA, frankfurt.endpoint(),
                    "bucket-in-frankfurt", "path_template: \"{{ submission_id }}.pdf\""));
            String id = newId("sub");

            relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

            JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
            assertThat(failed.path("attempts").asInt()).isEqualTo(1);
            assertThat(failed.path("error").asText()).contains("AuthorizationHeaderMalformed")
                    .contains("expecting 'eu-central-1'");
            DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id));
            assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent")
                    .containsEntry("s3relay_attempts", 1);
            assertThat(frankfurt.refused()).containsExactly("PUT /bucket-in-frankfurt/" + id + ".pdf");
        }
    }

    @Test
    void retriesAnUnreachableBucketThenDeadLettersItWhenTheAttemptsAreUsedUp() throws Exception {
        String account = newId("acc");
        int closedPort = RelayFixture.freePort();
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, "http://127.0.0.1:" + closedPort,
                "nowhere", "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

        JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "retries-exhausted")
                .containsEntry("s3relay_attempts", 3).containsEntry("s3relay_integration_id", integrationId);
        Instant first = Instant.parse((String) letter.headers().get("s3relay_first_failure"));
        Instant last = Instant.parse((String) letter.headers().get("s3relay_last_failure"));
        // attempts 1 to 3 are 100 ms then 200 ms apart (jitter ±20%): each retry waits, not only the first
        assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(230));
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("Connect to 127.0.0.1:" + closedPort);
        assertThat(relay.statusesOf(id)).extracting(s -> s.path("state").asText()).containsExactly("pending", "failed");
    }
}
