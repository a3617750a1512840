package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayFixture.S3Server;
import io.s3relay.support.RegionalEndpoint;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Failures end in a failed status and a dead letter, never block what follows, and retry only what may recover.
 * On the test kit with real servers: the faults here are real ones (a body that is not JSON, a missing file, wrong
 * credentials, a wrong region, a closed port), and waits are NotifyBuilder conditions on the route ids. One relay
 * for the class: no test advises a route, and each waits until its messages are done with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureHandlingTest extends RelayRouteTestSupport {

    @BeforeEach
    void startRelay() {
        context.start();
    }

    private NotifyBuilder deadLettered(String routeId) {
        return new NotifyBuilder(context).fromRoute(routeId).wereSentTo("direct:dead-letter").whenDone(1).create();
    }

    @Test
    void deadLettersMessageThatIsNotJsonAndProcessesTheOneBehindIt() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = newId("int");
        addIntegrations(integration(integrationId, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String garbage = "this is not json " + newId("x");
        String good = newId("sub");

        NotifyBuilder bothDone = new NotifyBuilder(context).fromRoute("submissions").whenDone(2).create();
        NotifyBuilder oneDeadLettered = deadLettered("submissions");

        servers.send(garbage);
        servers.send(submission(good, account, false, servers.pdf(randomPdf(100))));

        assertThat(bothDone.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(oneDeadLettered.matches(30, TimeUnit.SECONDS)).isTrue();

        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().equals(garbage));
        assertThat(letter.headers().get("s3relay_error_class")).isEqualTo("permanent");
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("not valid JSON");
        assertThat(letter.headers().get("s3relay_attempts")).isEqualTo(1);
        servers.awaitStatus(good, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, good + ".pdf")).isNotNull();
    }

    @Test
    void deadLettersSubmissionWithoutAccountWithFailedStatusNamingTheProblem() {
        String id = newId("sub");
        String body = "{\"submission\": {\"id\": \"" + id + "\", \"download_url\": \"file:///nowhere.pdf\"}}";

        NotifyBuilder deadLettered = deadLettered("submissions");

        servers.send(body);

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().equals(body));
        assertThat((String) letter.headers().get("s3relay_error_message")).isEqualTo("submission.account_id is missing");
        JsonNode failed = servers.awaitStatus(id, null, "failed");
        assertThat(failed.path("error").asText()).isEqualTo("submission.account_id is missing");
    }

    @Test
    void failsAtOnceWhenTheSourcePdfDoesNotExist() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = newId("int");
        addIntegrations(integration(integrationId, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder deadLettered = deadLettered("submissions");

        servers.send(submission(id, account, false, servers.dir.resolve("pdfs").toUri() + "missing-" + id + ".pdf"));

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).as("dead-lettered within its submission").isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("does not exist");
        assertThat(failed.at("/result_data/s3_key").asText()).isEqualTo(id + ".pdf");
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_integration_id", integrationId)
                .containsEntry("s3relay_error_class", "permanent").containsEntry("s3relay_attempts", 1);
        assertThat(letter.body()).contains("\"integration_id\":\"" + integrationId + "\"");
    }

    @Test
    void failsWrongCredentialsAfterOneAttemptWhileTheAccountsOtherIntegrationIsProcessed() {
        String account = newId("acc");
        String bucketA = servers.newBucket(servers.serverA);
        String bucketB = servers.newBucket(servers.serverB);
        S3Server wrongSecret = new S3Server("b", servers.serverB.store(), servers.serverB.objects(),
                servers.serverB.accessKey(), "not-the-secret");
        addIntegrations(
                integration("int_good_" + account, account, servers.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_bad_" + account, account, wrongSecret, bucketB, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder deadLettered = deadLettered("submissions");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).as("dead-lettered within its submission").isTrue();
        servers.awaitStatus(id, "int_good_" + account, "processed");
        JsonNode failed = servers.awaitStatus(id, "int_bad_" + account, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("403").contains("SignatureDoesNotMatch");
        assertThat(failed.toString()).doesNotContain("not-the-secret");
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_integration_id", "int_bad_" + account);
        assertThat(letter.toString()).doesNotContain("not-the-secret");
        assertThat(servers.serverB.objects().read(bucketB, id + ".pdf")).isNull();
    }

    @Test
    void failsAWrongRegionAfterOneAttemptAndDeadLettersIt() throws Exception {
        try (RegionalEndpoint frankfurt = new RegionalEndpoint("eu-central-1")) {
            String account = newId("acc");
            String integrationId = newId("int");
            addIntegrations(integration(integrationId, account, servers.serverA, frankfurt.endpoint(),
                    "bucket-in-frankfurt", "path_template: \"{{ submission_id }}.pdf\""));
            String id = newId("sub");
            NotifyBuilder deadLettered = deadLettered("submissions");

            servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

            assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).as("dead-lettered within its submission").isTrue();
            JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
            assertThat(failed.path("attempts").asInt()).isEqualTo(1);
            assertThat(failed.path("error").asText()).contains("AuthorizationHeaderMalformed")
                    .contains("expecting 'eu-central-1'");
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
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
        addIntegrations(integration(integrationId, account, servers.serverA, "http://127.0.0.1:" + closedPort,
                "nowhere", "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        // attempt 1 within the submission; attempts 2 and 3 as a job, the last dead-lettered by the uploads route
        NotifyBuilder retried = new NotifyBuilder(context).fromRoute("uploads").whenDone(2).create();
        NotifyBuilder deadLettered = deadLettered("uploads");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

        assertThat(retried.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "retries-exhausted")
                .containsEntry("s3relay_attempts", 3).containsEntry("s3relay_integration_id", integrationId);
        Instant first = Instant.parse((String) letter.headers().get("s3relay_first_failure"));
        Instant last = Instant.parse((String) letter.headers().get("s3relay_last_failure"));
        // attempts 1 to 3 are 100 ms then 200 ms apart (jitter ±20%): each retry waits, not only the first
        assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(230));
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("Connect to 127.0.0.1:" + closedPort);
        assertThat(servers.statusesOf(id)).extracting(s -> s.path("state").asText()).containsExactly("pending", "failed");
    }
}
