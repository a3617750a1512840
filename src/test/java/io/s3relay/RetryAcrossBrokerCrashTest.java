package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.CrashAfterScheduledCommit;
import io.s3relay.support.RecordingBlobStore;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayProcess;
import io.s3relay.support.SharedStoreBroker;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry survives a broker that dies the moment the transaction that scheduled it commits. ActiveMQ hands a delayed
 * message sent within a transaction to its scheduler only after the transaction is in the store: a crash in between
 * keeps the commit (the submission taken, its pending status sent) and loses the retry, and the copy would never be
 * uploaded nor failed. The broker here (its own JVM, the shipped configuration) kills itself at exactly that moment
 * ({@link CrashAfterScheduledCommit}); the relay's first upload is answered 503, so that its copy goes to the error
 * policy as a retry. After the broker's restart on the same store the copy must be uploaded.
 */
class RetryAcrossBrokerCrashTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aRetryScheduledJustBeforeTheBrokerDiesIsStillUploaded(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "broker-crash"));
        RecordingBlobStore objects = new RecordingBlobStore(LocalS3Store.storeIn(null));
        List<AutoCloseable> running = new ArrayList<>();
        try (LocalS3Store s3 = new LocalS3Store(objects, "127.0.0.1", 0, "crash-key", "crash-secret").start()) {
            s3.createBucket("bucket-0");
            Path integrations = dir.resolve("integrations.yaml");
            Files.writeString(integrations, """
                    integrations:
                      - id: int_0
                        account_id: acc_0
                        bucket: bucket-0
                        region: us-east-1
                        access_key_id: crash-key
                        secret_access_key: crash-secret
                        endpoint: %s
                        path_style: true
                        path_template: "{{ submission_id }}.pdf"
                    """.formatted(s3.endpoint()));
            Path pdfs = Files.createDirectories(dir.resolve("pdfs"));
            byte[] pdf = "%PDF-1.4\n a copy that is retried across a broker crash\n".getBytes();
            Files.write(pdfs.resolve("sub_crash.pdf"), pdf);

            Path store = Files.createDirectories(dir.resolve("broker-store"));
            int port = RelayFixture.freePort();
            Process crashing = SharedStoreBroker.start(store, port, logs.resolve("broker-crashing.log"),
                    "--crash-after-scheduled-commit");
            running.add(() -> crashing.destroyForcibly().waitFor());
            SharedStoreBroker.awaitServing(logs.resolve("broker-crashing.log"), Duration.ofSeconds(60));
            String brokerUrl = "failover:(tcp://127.0.0.1:" + port + ")?initialReconnectDelay=100&maxReconnectDelay=1000";

            List<JsonNode> statuses = new CopyOnWriteArrayList<>();
            Connection listening = new ActiveMQConnectionFactory(brokerUrl).createConnection();
            running.add(listening::close);
            listening.start();
            Session session = listening.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createConsumer(session.createQueue("s3relay.actions")).setMessageListener(m -> {
                try {
                    statuses.add(JSON.readTree(((TextMessage) m).getText()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            RelayProcess relay = RelayProcess.start("relay", Map.of(
                    "s3relay.broker.url", brokerUrl,
                    "s3relay.data.dir", dir.resolve("relay").toString(),
                    "s3relay.source.file-root", pdfs.toString(),
                    "s3relay.integrations.file", integrations.toString(),
                    "s3relay.retry.initial-delay", "2000",
                    "s3relay.retry.max-delay", "2000"), logs.resolve("relay.log"), "-Xmx384m");
            running.add(relay);
            relay.awaitStarted(Duration.ofSeconds(120));

            // the first upload is answered 503 SlowDown: a transient failure, retried through the broker's scheduler
            objects.refuse("PutObject", 503, 1);
            MessageProducer upstream = session.createProducer(session.createQueue("s3relay.submissions"));
            upstream.setDeliveryMode(DeliveryMode.PERSISTENT);
            upstream.send(session.createTextMessage(RelayFixture.submission("sub_crash", "acc_0", false,
                    pdfs.resolve("sub_crash.pdf").toUri().toString())));

            assertThat(crashing.waitFor(60, TimeUnit.SECONDS)).as("the broker died after the retry's commit").isTrue();
            assertThat(Files.readString(logs.resolve("broker-crashing.log"))).contains("crashing after a commit");
            Process restarted = SharedStoreBroker.start(store, port, logs.resolve("broker-restarted.log"));
            running.add(() -> restarted.destroyForcibly().waitFor());
            SharedStoreBroker.awaitServing(logs.resolve("broker-restarted.log"), Duration.ofSeconds(60));

            await("the copy uploaded after the broker's restart").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> statuses.stream().anyMatch(s -> "processed".equals(s.path("state").asText())));
            assertThat(objects.read("bucket-0", "sub_crash.pdf")).isEqualTo(pdf);
            assertThat(statuses).noneMatch(s -> "failed".equals(s.path("state").asText()));
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }
}
