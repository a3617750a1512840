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
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Messages shaped to confuse the relay's own bookkeeping end in its dead-letter queue with their reason. On the
 * test kit: waits are NotifyBuilder conditions on the route that takes the message and on the dead-letter route.
 * One relay for the class (no test advises a route), as its management server takes a fixed port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileMessagesTest extends RelayRouteTestSupport {

    static final int MANAGEMENT_PORT = RelayFixture.freePort();

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(MANAGEMENT_PORT));
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void accountIdsThatUpstreamMakesUpNeverBecomeMetricLabels() throws Exception {
        List<String> madeUp = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        NotifyBuilder allDeadLettered = new NotifyBuilder(context).fromRoute("submissions")
                .wereSentTo("direct:dead-letter").whenDone(20).create();
        for (int i = 0; i < 20; i++) {
            String id = newId("sub");
            ids.add(id);
            madeUp.add(newId("acc_made_up"));
            servers.send("{\"submission\": {\"id\": \"" + id + "\", \"account_id\": \"" + madeUp.get(i)
                    + "\", \"processed_at\": \"not a time\"}}");
        }
        assertThat(allDeadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        ids.forEach(id -> servers.awaitStatus(id, null, "failed"));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(metrics).containsPattern("s3relay_uploads_total\\{[^}]*account=\"unknown\"[^}]*state=\"failed\"[^}]*} 2\\d\\.0");
        madeUp.forEach(account -> assertThat(metrics).doesNotContain(account));
    }

    @Test
    void anUpstreamMessageDressedAsAJobIsDeadLetteredByTheRelayNotByTheBroker() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = "int_" + account;
        addIntegrations(integration(integrationId, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        String body = "{\"integration_id\": \"" + integrationId + "\", \"submission\": {\"id\": \"" + id
                + "\", \"account_id\": \"" + account + "\", \"processed_at\": \"yesterday\", \"download_url\": \""
                + servers.pdf(randomPdf(100)) + "\"}}";
        String good = newId("sub");
        NotifyBuilder bothDone = new NotifyBuilder(context).fromRoute("submissions").whenDone(2).create();
        NotifyBuilder deadLettered = new NotifyBuilder(context).fromRoute("submissions")
                .wereSentTo("direct:dead-letter").whenDone(1).create();

        servers.send(body);
        servers.send(submission(good, account, false, servers.pdf(randomPdf(100))));

        assertThat(bothDone.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).as("dead-lettered by the submissions route").isTrue();
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().equals(body));
        assertThat((String) letter.headers().get("s3relay_error_message")).contains("processed_at is not an ISO-8601 time");
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent");
        JsonNode failed = servers.awaitStatus(id, null, "failed");
        assertThat(failed.path("error").asText()).contains("processed_at is not an ISO-8601 time");
        servers.awaitStatus(good, integrationId, "processed");
        assertThat(servers.queueStatistics("ActiveMQ.DLQ").getMessages().getCount()).isZero();
    }

    @Test
    void aJobNamingAnotherAccountsIntegrationFailsWithoutUploading() {
        String owner = newId("acc");
        String intruder = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = "int_" + owner;
        addIntegrations(integration(integrationId, owner, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        String job = "{\"integration_id\": \"" + integrationId + "\", \"received_at\": \"2026-01-01T00:00:00Z\", "
                + "\"submission\": {\"kind\": \"SUBMISSION\", \"id\": \"" + id + "\", \"account_id\": \"" + intruder
                + "\", \"test\": false, \"download_url\": \"" + servers.pdf(randomPdf(100)) + "\"}}";

        NotifyBuilder deadLettered = new NotifyBuilder(context).fromRoute("uploads")
                .wereSentTo("direct:dead-letter").whenDone(1).create();

        servers.send("s3relay.uploads", job);

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).as("dead-lettered by the uploads route").isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("error").asText())
                .isEqualTo("integration " + integrationId + " does not belong to account " + intruder);
        assertThat(failed.path("result_data").isNull()).as("no detail of the owner's bucket").isTrue();
        assertThat(servers.serverA.objects().operations()).noneMatch(op -> op.contains(id));
    }
}
