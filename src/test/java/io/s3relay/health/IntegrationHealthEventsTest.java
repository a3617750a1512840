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
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * The events the platform emails its customers from: one integration_failing while an integration's bucket stays
 * down (not one per upload, and not a second one after a restart of the relay), one integration_recovered when its
 * uploads succeed again.
 */
class IntegrationHealthEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBucketThatStaysDownIsAnnouncedOnceAcrossARestartAndItsRecoveryOnce() throws Exception {
        try (RelayFixture relay = RelayFixture.start(Map.of("s3relay.events.check-interval", "200",
                "s3relay.integration.circuit.failures", "3", "s3relay.integration.circuit.open-millis", "1000"));
             Events events = new Events(relay)) {
            String account = newId("acc");
            String bucket = relay.newBucket(relay.serverB);
            int port = RelayFixture.freePort();
            // nothing listens on the integration's endpoint yet: every upload fails (transient) and the circuit opens
            relay.addIntegrations(integration("int_down", account, relay.serverB, "http://127.0.0.1:" + port, bucket,
                    "path_template: \"{{ submission_id }}.pdf\""));
            Instant before = Instant.now();
            for (int i = 0; i < 4; i++) {
                relay.send(submission(newId("sub"), account, false, relay.pdf(randomPdf(1000))));
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
            assertThat(failing.toString()).doesNotContain(relay.serverB.secretKey());

            // more failing uploads, and a restart of the relay while the bucket is still down: no second event
            relay.send(submission(newId("sub"), account, false, relay.pdf(randomPdf(1000))));
            Thread.sleep(1500);
            relay.stopRelay();
            relay.startRelay();
            for (int i = 0; i < 4; i++) {
                relay.send(submission(newId("sub"), account, false, relay.pdf(randomPdf(1000))));
            }
            IntegrationHealth health = relay.relay().getCamelContext().getRegistry()
                    .lookupByNameAndType("integrationHealth", IntegrationHealth.class);
            assertThat(health.failing("int_down")).as("the restarted relay knows the integration is failing").isTrue();
            Thread.sleep(3000);
            assertThat(events.of("integration_failing")).hasSize(1);
            assertThat(events.of("integration_recovered")).isEmpty();

            // the bucket answers again: the next upload succeeds and the recovery goes out, once
            try (LocalS3Store back = new LocalS3Store(relay.serverB.objects(), "127.0.0.1", port,
                    relay.serverB.accessKey(), relay.serverB.secretKey()).start()) {
                String id = newId("sub");
                relay.send(submission(id, account, false, relay.pdf(randomPdf(1000))));
                relay.awaitStatus(id, "int_down", "processed");
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
        }
    }

    @Test
    void anIntegrationWithOnlyFailuresForTheConfiguredTimeIsFailingThoughItsCircuitNeverOpens() throws Exception {
        try (RelayFixture relay = RelayFixture.start(Map.of("s3relay.events.check-interval", "200",
                "s3relay.events.failing-after", "2000"));
             Events events = new Events(relay)) {
            String account = newId("acc");
            // a bucket that does not exist: each upload fails for good (NoSuchBucket), which never opens the circuit
            relay.addIntegrations(integration("int_gone", account, relay.serverA, "no-such-bucket-" + account.substring(4, 12),
                    "path_template: \"{{ submission_id }}.pdf\""));
            String id = newId("sub");
            relay.send(submission(id, account, false, relay.pdf(randomPdf(1000))));
            relay.awaitStatus(id, "int_gone", "failed");
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
