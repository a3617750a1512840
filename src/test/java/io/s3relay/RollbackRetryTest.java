package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** For brokers without a scheduler: a transient failure rolls back and the client redelivers, same budget. */
class RollbackRetryTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass(Map.of("s3relay.retry.broker-scheduler", "false"));

    @Test
    void retriesByRollbackThenDeadLettersWhenTheAttemptsAreUsedUp() throws Exception {
        String account = newId("acc");
        int closedPort = RelayFixture.freePort();
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, "http://127.0.0.1:" + closedPort, "nowhere",
                "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

        JsonNode failed = relay.awaitStatus(id, integrationId, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(relay.awaitDeadLetter(d -> d.body().contains(id)).headers())
                .containsEntry("s3relay_error_class", "retries-exhausted").containsEntry("s3relay_attempts", 3);
    }
}
