package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.failure.TransientFailureException;
import io.s3relay.keys.InvalidKeyException;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * The routes' behaviour, with Camel's test kit: the relay's own Camel Main configuration and YAML routes booted in
 * the test, on a real broker and real S3 servers. Waits are NotifyBuilder conditions on the routes; a fault is
 * injected at one named step with AdviceWith.
 */
class RouteBehaviourTest extends RelayRouteTestSupport {

    @Test
    void fansASubmissionOutToEachIntegrationOfItsAccountPendingBeforeProcessed() throws Exception {
        context.start();
        String account = newId("acc");
        List<String> integrations = List.of("int_a_" + account, "int_b_" + account, "int_c_" + account);
        String bucketA = servers.newBucket(servers.serverA);
        String bucketB = servers.newBucket(servers.serverB);
        addIntegrations(integration(integrations.get(0), account, servers.serverA, bucketA, "path_template: \"a/{{ submission_id }}.pdf\""),
                integration(integrations.get(1), account, servers.serverA, bucketA, "path_template: \"b/{{ submission_id }}.pdf\""),
                integration(integrations.get(2), account, servers.serverB, bucketB, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder fannedOut = new NotifyBuilder(context).fromRoute("submissions").whenDone(1)
                .wereSentTo("direct:upload").create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(2_000))));

        assertThat(fannedOut.matches(30, TimeUnit.SECONDS)).isTrue();
        for (String integrationId : integrations) {
            servers.awaitStatus(id, integrationId, "processed");
            List<String> states = servers.statusesOf(id).stream()
                    .filter(s -> integrationId.equals(s.path("integration_id").asText()))
                    .map(s -> s.path("state").asText()).toList();
            assertThat(states).as(integrationId).containsExactly("pending", "processed");
        }
        assertThat(servers.serverA.objects().read(bucketA, "a/" + id + ".pdf")).isNotNull();
        assertThat(servers.serverA.objects().read(bucketA, "b/" + id + ".pdf")).isNotNull();
        assertThat(servers.serverB.objects().read(bucketB, id + ".pdf")).isNotNull();
    }

    @Test
    void aFailingRenderKeyStepIsAPermanentFailureDeadLetteredAtOnce() throws Exception {
        AdviceWith.adviceWith(context, "upload", route -> route.weaveById("render-key").replace()
                .throwException(new InvalidKeyException("the rendered key contains a '..' folder")));
        context.start();
        String account = newId("acc");
        String integrationId = "int_" + account;
        addIntegrations(integration(integrationId, account, servers.serverA, servers.newBucket(servers.serverA),
                "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder deadLettered = new NotifyBuilder(context).wereSentTo("direct:dead-letter").whenDone(1).create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(500))));

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).isEqualTo("the rendered key contains a '..' folder");
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent")
                .containsEntry("s3relay_error_type", "InvalidKeyException")
                .containsEntry("s3relay_integration_id", integrationId);
        assertThat(servers.statusesOf(id)).extracting(s -> s.path("state").asText()).containsExactly("pending", "failed");
    }

    @Test
    void aFailingPutObjectStepIsRetriedAsAJobThroughTheBrokerThenDeadLettered() throws Exception {
        AdviceWith.adviceWith(context, "upload", route -> route.weaveById("put-object").replace()
                .throwException(new TransientFailureException("S3 answered 503 SlowDown")));
        context.start();
        String account = newId("acc");
        String integrationId = "int_" + account;
        addIntegrations(integration(integrationId, account, servers.serverA, servers.newBucket(servers.serverA),
                "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        // attempt 1 within the submission; attempts 2 and 3 (the fixture's s3relay.retry.max-attempts) as jobs
        NotifyBuilder retried = new NotifyBuilder(context).fromRoute("uploads").whenDone(2).create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(500))));

        assertThat(retried.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(failed.path("error").asText()).isEqualTo("S3 answered 503 SlowDown");
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
        assertThat(letter.headers()).containsEntry("s3relay_error_class", "retries-exhausted")
                .containsEntry("s3relay_attempts", 3).containsEntry("s3relay_source_queue", "s3relay.uploads");
        assertThat(servers.statusesOf(id)).extracting(s -> s.path("state").asText()).containsExactly("pending", "failed");
    }
}
