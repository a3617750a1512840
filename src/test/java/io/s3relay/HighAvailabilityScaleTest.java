package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.LocalS3Store;
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

/**
 * Runs brokers and relays as processes of their own: kill -9 and SIGTERM can only be given to separate JVMs.
 * <p>
 * Beyond one machine, on one machine: a primary/standby broker pair on one store (two JVMs, each started from
 * deploy/activemq/activemq.xml), three relay processes connected with a failover: URL naming both, and submissions
 * of five accounts sent while the primary broker is killed with kill -9, then one relay is killed with kill -9 and
 * another given SIGTERM. Every object must be stored with its bytes and every copy have a processed status;
 * duplicates (at-least-once) and each fault's time are reported as a figures table.
 *
 * <p>In the test suite it sends {@code scale.submissions} (500) submissions over {@code scale.send-seconds} (10 s);
 * {@code mvn -B -Pscale test} sends 3,000 over 10 s, faster than three relays on two cores take them
 * (docs/scaling.md has its figures).
 */
class HighAvailabilityScaleTest {

    private static final int ACCOUNTS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int submissions = Integer.getInteger("scale.submissions", 500);
    private final long sendSeconds = Long.getLong("scale.send-seconds", 10);

    /** One processed status per JMS message: a status redelivered to this test after a failover is not a repeat. */
    private final Map<String, AtomicInteger> processedPerJob = new ConcurrentHashMap<>();
    private final Set<String> statusMessages = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedStatuses = new AtomicLong();
    private final AtomicLong lastProcessedNanos = new AtomicLong();

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void survivesThePrimaryBrokersDeathAndLosingTwoOfThreeRelays() throws Exception {
        Path dir = Files.createTempDirectory("s3relay-ha");
        Path logs = Files.createDirectories(Path.of("target", "ha-scale"));
        RecordingBlobStore objects = new RecordingBlobStore(LocalS3Store.storeIn(null));
        List<AutoCloseable> running = new ArrayList<>();
        try (LocalS3Store s3 = new LocalS3Store(objects, "127.0.0.1", 0, "ha-key", "ha-secret").start()) {
            Path integrations = dir.resolve("integrations.yaml");
            StringBuilder yaml = new StringBuilder("integrations:\n");
            for (int a = 0; a < ACCOUNTS; a++) {
                s3.createBucket("bucket-" + a);
                yaml.append("""
                          - id: int_%d
                            account_id: acc_%d
                            bucket: bucket-%d
                            region: us-east-1
                            access_key_id: ha-key
                            secret_access_key: ha-secret
                            endpoint: %s
                            path_style: true
                            path_template: "{{ submission_id }}.pdf"
                        """.formatted(a, a, a, s3.endpoint()));
            }
            Files.writeString(integrations, yaml);

            // the pair: both on one store; the first serves, the second waits on the lock
            Path store = Files.createDirectories(dir.resolve("broker-store"));
            int[] ports = {RelayFixture.freePort(), RelayFixture.freePort()};
            Process primary = SharedStoreBroker.start(store, ports[0], logs.resolve("broker-a.log"));
            running.add(() -> primary.destroyForcibly().waitFor());
            SharedStoreBroker.awaitServing(logs.resolve("broker-a.log"), Duration.ofSeconds(60));
            Process standby = SharedStoreBroker.start(store, ports[1], logs.resolve("broker-b.log"));
            running.add(() -> standby.destroyForcibly().waitFor());
            Thread.sleep(2_000);
            assertThat(Files.readString(logs.resolve("broker-b.log"))).as("the second broker waits as the standby")
                    .doesNotContain("serving on");
            String brokerUrl = "failover:(tcp://127.0.0.1:" + ports[0] + ",tcp://127.0.0.1:" + ports[1]
                    + ")?randomize=false&initialReconnectDelay=100&maxReconnectDelay=1000";

            Connection connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
            running.add(connection::close);
            connection.start();
            Session listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            listening.createConsumer(listening.createQueue("s3relay.actions")).setMessageListener(m -> {
                try {
                    if (!statusMessages.add(m.getJMSMessageID())) {
                        return;
                    }
                    JsonNode status = JSON.readTree(((TextMessage) m).getText());
                    String state = status.path("state").asText();
                    if (state.equals("processed")) {
                        processedPerJob.computeIfAbsent(status.path("submission_id").asText() + "/"
                                + status.path("integration_id").asText(), k -> new AtomicInteger()).incrementAndGet();
                        lastProcessedNanos.set(System.nanoTime());
                    } else if (state.equals("failed")) {
                        failedStatuses.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            List<RelayProcess> relays = new ArrayList<>();
            for (int r = 1; r <= 3; r++) {
                RelayProcess relay = RelayProcess.start("relay-" + r, Map.of(
                        "s3relay.broker.url", brokerUrl,
                        "s3relay.data.dir", dir.resolve("relay-" + r).toString(),
                        "s3relay.source.file-root", dir.resolve("pdfs").toString(),
                        "s3relay.integrations.file", integrations.toString(),
                        // a job that waits a retry after a failover waits on the shared scheduler store
                        "s3relay.retry.initial-delay", "500",
                        "s3relay.retry.max-delay", "2000",
                        "s3relay.retry.max-attempts", "60"), logs.resolve("relay-" + r + ".log"), "-Xmx384m");
                relays.add(relay);
                running.add(relay);
            }
            for (RelayProcess relay : relays) {
                relay.awaitStarted(Duration.ofSeconds(120));
            }

            // the submissions: five accounts, one PDF of its own each, sent over sendSeconds at an even pace
            Path pdfs = Files.createDirectories(dir.resolve("pdfs"));
            Map<String, String> jobs = new LinkedHashMap<>(); // submission id -> account index
            Random random = new Random(19);
            for (int i = 0; i < submissions; i++) {
                String id = String.format("sub_ha_%05d", i);
                byte[] bytes = new byte[8_000 + random.nextInt(24_000)];
                random.nextBytes(bytes);
                System.arraycopy("%PDF-1.4\n".getBytes(), 0, bytes, 0, 9);
                Files.write(pdfs.resolve(id + ".pdf"), bytes);
                jobs.put(id, String.valueOf(i % ACCOUNTS));
            }
            Thread sender = new Thread(() -> send(brokerUrl, jobs, pdfs), "ha-sender");
            long started = System.nanoTime();
            sender.start();

            List<String[]> faults = new ArrayList<>();
            // 1: kill -9 the primary broker a quarter of the way
            awaitProcessed(submissions / 4, Duration.ofSeconds(300));
            long before = processedPerJob.size();
            long killed = System.nanoTime();
            double threeRelaysRate = before / ((killed - started) / 1e9);
            primary.destroyForcibly().waitFor();
            SharedStoreBroker.awaitServing(logs.resolve("broker-b.log"), Duration.ofSeconds(120));
            double standbyServing = seconds(killed);
            awaitProcessed(before + 1, Duration.ofSeconds(120));
            double resumed = seconds(killed);
            faults.add(new String[] {"kill -9 of the primary broker after " + before + " processed",
                    String.format("standby serving after %.1f s, uploads resumed after %.1f s", standbyServing, resumed)});

            // 2: kill -9 a relay half way
            awaitProcessed(submissions / 2, Duration.ofSeconds(300));
            before = processedPerJob.size();
            killed = System.nanoTime();
            relays.get(0).kill();
            awaitProcessed(before + 20, Duration.ofSeconds(120));
            faults.add(new String[] {"kill -9 of relay-1 after " + before + " processed",
                    String.format("20 more processed %.1f s after the kill", seconds(killed))});

            // 3: SIGTERM another at 70 %
            awaitProcessed(submissions * 7L / 10, Duration.ofSeconds(300));
            before = processedPerJob.size();
            long signalled = System.nanoTime();
            relays.get(1).terminate();
            boolean exited = relays.get(1).awaitExit(GracefulShutdownTest.shutdownTimeoutSeconds() + 30, TimeUnit.SECONDS);
            double exitSeconds = seconds(signalled);
            long oneRelayFrom = System.nanoTime();
            long oneRelayFromCount = processedPerJob.size();
            assertThat(exited).as("relay-2 exited after SIGTERM").isTrue();
            faults.add(new String[] {"SIGTERM to relay-2 after " + before + " processed",
                    String.format("exited in %.1f s (bound %d s)", exitSeconds, GracefulShutdownTest.shutdownTimeoutSeconds())});

            sender.join(TimeUnit.MINUTES.toMillis(5));
            awaitProcessed(submissions, Duration.ofSeconds(600));
            double total = (lastProcessedNanos.get() - started) / 1e9;
            double oneRelayRate = (submissions - oneRelayFromCount) / ((lastProcessedNanos.get() - oneRelayFrom) / 1e9);
            Thread.sleep(3_000); // late duplicates

            long stored = 0;
            long wrongBytes = 0;
            for (Map.Entry<String, String> job : jobs.entrySet()) {
                byte[] object = objects.read("bucket-" + job.getValue(), job.getKey() + ".pdf");
                if (object != null) {
                    stored++;
                    if (!java.util.Arrays.equals(object, Files.readAllBytes(pdfs.resolve(job.getKey() + ".pdf")))) {
                        wrongBytes++;
                    }
                }
            }
            long withStatus = jobs.entrySet().stream().filter(j -> processedPerJob.containsKey(j.getKey() + "/int_"
                    + j.getValue())).count();
            long lost = submissions - stored;
            long keysPutTwice = objects.keysPutMoreThanOnce();
            long repeatedStatuses = processedPerJob.values().stream().mapToLong(n -> n.get() - 1).sum();

            StringBuilder table = new StringBuilder();
            table.append(String.format("%n2 brokers (primary/standby on one store), 3 relays, %d accounts, %d cores%n",
                    ACCOUNTS, Runtime.getRuntime().availableProcessors()));
            table.append("| sent | stored | with processed status | lost | wrong bytes | keys put twice | repeated processed statuses | failed | all done in | uploads/s |\n");
            table.append("|---|---|---|---|---|---|---|---|---|---|\n");
            table.append(String.format("| %d | %d | %d | %d | %d | %d | %d | %d | %.1f s | %.1f |%n", submissions, stored,
                    withStatus, lost, wrongBytes, keysPutTwice, repeatedStatuses, failedStatuses.get(), total,
                    submissions / total));
            table.append(String.format("%nuploads/s with 3 relays until the broker's kill (JVMs cold, offered %.0f/s): %.1f; "
                    + "with 1 relay after the SIGTERM: %.1f%n", submissions / (double) sendSeconds, threeRelaysRate,
                    oneRelayRate));
            table.append("\n| fault | time |\n|---|---|\n");
            for (String[] fault : faults) {
                table.append("| ").append(fault[0]).append(" | ").append(fault[1]).append(" |\n");
            }
            System.out.print(table);
            Files.writeString(Path.of("target", "scale-figures.md"), table, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);

            assertThat(lost).as("objects lost").isZero();
            assertThat(wrongBytes).as("objects with other bytes than their PDF").isZero();
            assertThat(withStatus).as("copies with a processed status").isEqualTo(submissions);
            assertThat(failedStatuses.get()).as("failed statuses").isZero();
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception ignored) {
                    // already gone
                }
            }
            deleteRecursively(dir);
        }
    }

    private void send(String brokerUrl, Map<String, String> jobs, Path pdfs) {
        try {
            Connection connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
            try {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = session.createProducer(session.createQueue("s3relay.submissions"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                long pauseNanos = TimeUnit.SECONDS.toNanos(sendSeconds) / jobs.size();
                long next = System.nanoTime();
                for (Map.Entry<String, String> job : jobs.entrySet()) {
                    producer.send(session.createTextMessage(RelayFixture.submission(job.getKey(), "acc_" + job.getValue(),
                            false, pdfs.resolve(job.getKey() + ".pdf").toUri().toString())));
                    next += pauseNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } finally {
                connection.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("sending the submissions failed", e);
        }
    }

    private void awaitProcessed(long count, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> processedPerJob.size() >= count);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
