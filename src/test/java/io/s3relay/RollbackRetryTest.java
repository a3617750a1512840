package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.failure.TransientFailureException;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * For brokers without a scheduler: a transient failure rolls back and the client redelivers, same budget. The
 * failure is injected at the upload route's put-object step; a mock beside the jobs queue shows that no retry was
 * sent back to it (the broker redelivered the same message).
 */
class RollbackRetryTest extends RelayRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.retry.broker-scheduler", "false");
    }

    @Override
    public String isMockEndpoints() {
        return "jms:queue:s3relay.uploads*";
    }

    @Test
    void retriesByRollbackThenDeadLettersWhenTheAttemptsAreUsedUp() throws Exception {
        AdviceWith.adviceWith(context, "upload", route -> route.weaveById("put-object").replace()
                .throwException(new TransientFailureException("S3 answered 503 SlowDown")));
        context.start();
        MockEndpoint jobs = getMockEndpoint("mock:jms:queue:s3relay.uploads");
        String account = newId("acc");
        String integrationId = newId("int");
        addIntegrations(integration(integrationId, account, servers.serverA, servers.newBucket(servers.serverA),
                "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        // attempt 1 within the submission, then the job's attempts 2 and 3: the second rolled back and redelivered
        NotifyBuilder deadLettered = new NotifyBuilder(context).fromRoute("uploads")
                .wereSentTo("direct:dead-letter").whenDone(1).create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

        assertThat(deadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(servers.awaitDeadLetter(d -> d.body().contains(id)).headers())
                .containsEntry("s3relay_error_class", "retries-exhausted").containsEntry("s3relay_attempts", 3);
        assertThat(jobs.getReceivedCounter()).as("jobs sent: the one from the submission, no retry sent again").isEqualTo(1);
    }
}
