package io.s3relay.health;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

/**
 * The restart is a second relay that the kit's own createCamelContext() makes: the kit's context started again would
 * keep its beans, and a restarted relay must read the integration's health back from its data folder.
 * <p>
 * The events the platform emails its customers from: one integration_failing while an integration's bucket stays
 * down (not one per upload, and not a second one after a restart of the relay), one integration_recovered when its
 * uploads succeed again. An integration failing without its circuit opening: {@link OnlyFailuresEventTest}.
 */
class IntegrationHealthEventsTest extends RelayRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.events.check-interval", "200", "s3relay.integration.circuit.failures", "3",
                "s3relay.integration.circuit.open-millis", "1000");
    }

    @Test
    void aBucketThatStaysDownIsAnnouncedOnceAcrossARestartAndItsRecoveryOnce() throws Exception {
        context.start();
        CamelContext restarted = null;
        try (Events events = new Events(servers)) {
            String account = newId("acc");
            String bucket = servers.newBucket(servers.serverB);
            int port = RelayFixture.freePort();
            // nothing listens on the integration's endpoint yet: every upload fails (transient) and the circuit opens
            addIntegrations(integration("int_down", account, servers.serverB, "http://127.0.0.1:" + port, bucket,
                    "path_template: \"{{ submission_id }}.pdf\""));
            Instant before = Instant.now();
            for (int i = 0; i < 4; i++) {
                servers.send(submission(newId("sub"), account, false, servers.pdf(randomPdf(1000))));
            }
            JsonNode failing = await().atMost(Duration.ofSeconds(30)).until(() -> events.of("integration_failing"),
                    list -> !list.isEmpty()).get(0);
            assertThat(failing.path("integration_id").asText()).isEqualTo("int_down");
            assertThat(failing.path("account_id").asText()).isEqualTo(account);
            assertThat(failing.path("reason").asText()).isEqualTo("circuit_open");
            assertThat(failing.path("failures").asLong()).isPositive();
            assertThat(failing.path("last_error").asText()).contains("127.0.0.1:" + port);
            Instant since = Instant.parse(failing.path("failing_since").asText());
            assertThat(since).isAfterOrEqualTo(before.minusSeconds(1)).isBeforeOrEqualTo(Instant.now());
            assertThat(Instant.parse(failing.path("last_failure_at").asText())).isAfterOrEqualTo(since);
            assertThat(failing.path("event_id").asText()).isNotBlank();
            assertThat(failing.toString()).doesNotContain(servers.serverB.secretKey());

            // more failing uploads, and a restart of the relay while the bucket is still down: no second event
            servers.send(submission(newId("sub"), account, false, servers.pdf(randomPdf(1000))));
            Thread.sleep(1500);
            context.stop();
            restarted = createCamelContext();
            restarted.start();
            for (int i = 0; i < 4; i++) {
                servers.send(submission(newId("sub"), account, false, servers.pdf(randomPdf(1000))));
            }
            IntegrationHealth health = restarted.getRegistry().lookupByNameAndType("integrationHealth", IntegrationHealth.class);
            assertThat(health.failing("int_down")).as("the restarted relay knows the integration is failing").isTrue();
            Thread.sleep(3000);
            assertThat(events.of("integration_failing")).hasSize(1);
            assertThat(events.of("integration_recovered")).isEmpty();

            // the bucket answers again: the next upload succeeds and the recovery goes out, once
            try (LocalS3Store back = new LocalS3Store(servers.serverB.objects(), "127.0.0.1", port,
                    servers.serverB.accessKey(), servers.serverB.secretKey()).start()) {
                String id = newId("sub");
                servers.send(submission(id, account, false, servers.pdf(randomPdf(1000))));
                servers.awaitStatus(id, "int_down", "processed");
                JsonNode recovered = await().atMost(Duration.ofSeconds(30)).until(() -> events.of("integration_recovered"),
                        list -> !list.isEmpty()).get(0);
                assertThat(recovered.path("integration_id").asText()).isEqualTo("int_down");
                assertThat(recovered.path("account_id").asText()).isEqualTo(account);
                assertThat(recovered.path("failing_since").asText()).isEqualTo(failing.path("failing_since").asText());
                assertThat(Instant.parse(recovered.path("recovered_at").asText())).isAfter(since);
                assertThat(recovered.path("failures").asLong()).isGreaterThan(failing.path("failures").asLong());
                Thread.sleep(1000);
                assertThat(events.of("integration_recovered")).hasSize(1);
                assertThat(events.of("integration_failing")).hasSize(1);
                assertThat(health.failing("int_down")).isFalse();
            }
        } finally {
            if (restarted != null) {
                restarted.stop();
            }
        }
    }

    /** The events queue, as the platform reads it. */
    static final class Events implements AutoCloseable {
        private final Connection connection;
        private final List<JsonNode> received = new CopyOnWriteArrayList<>();

        Events(RelayFixture relay) throws Exception {
            connection = new ActiveMQConnectionFactory(relay.brokerUrl()).createConnection();
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createConsumer(session.createQueue("s3relay.events")).setMessageListener(message -> {
                try {
                    received.add(JSON.readTree(((TextMessage) message).getText()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        List<JsonNode> of(String type) {
            return received.stream().filter(event -> type.equals(event.path("event").asText())).toList();
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }
}
