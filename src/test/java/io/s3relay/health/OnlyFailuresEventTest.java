package io.s3relay.health;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.health.IntegrationHealthEventsTest.Events;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/**
 * An integration whose uploads did nothing but fail for s3relay.events.failing-after is announced failing, though its
 * circuit never opens (a deleted bucket fails for good, and only transient failures open it). A class of its own:
 * its relay's settings are not {@link IntegrationHealthEventsTest}'s.
 */
class OnlyFailuresEventTest extends RelayRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.events.check-interval", "200", "s3relay.events.failing-after", "2000");
    }

    @Test
    void anIntegrationWithOnlyFailuresForTheConfiguredTimeIsFailingThoughItsCircuitNeverOpens() throws Exception {
        context.start();
        try (Events events = new Events(servers)) {
            String account = newId("acc");
            // a bucket that does not exist: each upload fails for good (NoSuchBucket), which never opens the circuit
            addIntegrations(integration("int_gone", account, servers.serverA, "no-such-bucket-" + account.substring(4, 12),
                    "path_template: \"{{ submission_id }}.pdf\""));
            String id = newId("sub");
            servers.send(submission(id, account, false, servers.pdf(randomPdf(1000))));
            servers.awaitStatus(id, "int_gone", "failed");
            Thread.sleep(1000);
            assertThat(events.of("integration_failing")).as("not before failing-after").isEmpty();
            JsonNode failing = await().atMost(Duration.ofSeconds(15)).until(() -> events.of("integration_failing"),
                    list -> !list.isEmpty()).get(0);
            assertThat(failing.path("integration_id").asText()).isEqualTo("int_gone");
            assertThat(failing.path("reason").asText()).isEqualTo("only_failures");
            assertThat(failing.path("failures").asLong()).isEqualTo(1);
            assertThat(failing.path("last_error").asText()).contains("NoSuchBucket");
        }
    }
}
