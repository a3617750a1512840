package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Messages shaped to confuse the relay's own bookkeeping end in its dead-letter queue with their reason. */
class HostileMessagesTest {

    static final int MANAGEMENT_PORT = RelayFixture.freePort();

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass(Map.of("camel.management.enabled", "true",
            "camel.management.port", String.valueOf(MANAGEMENT_PORT)));

    @Test
    void accountIdsThatUpstreamMakesUpNeverBecomeMetricLabels() throws Exception {
        List<String> madeUp = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = newId("sub");
            madeUp.add(newId("acc_made_up"));
            relay.send("{\"submission\": {\"id\": \"" + id + "\", \"account_id\": \"" + madeUp.get(i)
                    + "\", \"processed_at\": \"not a time\"}}");
            relay.awaitStatus(id, null, "failed");
        }

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(metrics).containsPattern("s3relay_uploads_total\\{[^}]*account=\"unknown\"[^}]*state=\"failed\"[^}]*} 2\\d\\.0");
        madeUp.forEach(account -> assertThat(metrics).doesNotContain(account));
    }

    @Test
    void anUpstreamMessageDressedAsAJobIsDeadLetteredByTheRelayNotByTheBroker() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = "int_" + account;
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        String body = "{\"integration_id\": \"" + integrationId + "\", \"submission\": {\"id\": \"" + id
                + "\", \"account_id\": \"" + account + "\", \"processed_at\": \"yesterday\", \"download_url\": \""
                + relay.pdf(randomPdf(100)) + "\"}}";
        String good = newId("sub");

        relay.send(body);
        relay.send(submission(good, account, false, relay.pdf(randomPdf(100))));

        DeadLetter letter = relay.awaitDeadLetter(d -> d.body().equals(body));
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("processed_at is not an ISO-8601 time");
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent");
        JsonNode failed = relay.awaitStatus(id, null, "failed");
        assertThat(failed.path("error").asText()).contains("processed_at is not an ISO-8601 time");
        relay.awaitStatus(good, integrationId, "processed");
        assertThat(relay.queueStatistics("ActiveMQ.DLQ").getMessages().getCount()).isZero();
    }

    @Test
    void aJobNamingAnotherAccountsIntegrationFailsWithoutUploading() {
        String owner = newId("acc");
        String intruder = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = "int_" + owner;
        relay.addIntegrations(integration(integrationId, owner, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        String job = "{\"integration_id\": \"" + integrationId + "\", \"received_at\": \"2026-01-01T00:00:00Z\", "
                + "\"submission\": {\"kind\": \"SUBMISSION\", \"id\": \"" + id + "\", \"account_id\": \"" + intruder
                + "\", \"test\": false, \"download_url\": \"" + relay.pdf(randomPdf(100)) + "\"}}";

        relay.send("s3relay.uploads", job);

        JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("error").asText())
                .isEqualTo("integration " + integrationId + " does not belong to account " + intruder);
        assertThat(failed.path("result_data").isNull()).as("no detail of the owner's bucket").isTrue();
        assertThat(relay.serverA.objects().operations()).noneMatch(op -> op.contains(id));
    }
}
