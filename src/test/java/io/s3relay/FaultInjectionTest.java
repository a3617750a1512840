package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.S3Server;
import org.junit.jupiter.api.Test;

/**
 * Runs relays as processes of their own: only a separate JVM can be killed with SIGKILL mid-transaction.
 * <p>
 * A kill -9 of the relay process at random moments, on real servers: it ends with every object stored and every job
 * with its terminal status, and prints its figures. The faults of the servers under a running relay (an S3 outage,
 * a broker restart) are {@link OutageRecoveryTest}'s.
 */
class FaultInjectionTest {

    @Test
    void deliversEverythingAfterTheRelayProcessIsKilledWithSigkillAtRandomMoments() throws Exception {
        // the relay of this test runs in processes of its own
        try (RelayFixture relay = RelayFixture.serversOnly(Map.of())) {
            String account = newId("acc");
            String bucket = relay.newBucket(relay.serverA);
            relay.addIntegrations(integration("int_kill", account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
            List<String> ids = ids(500);
            ids.forEach(id -> relay.send(submission(id, account, false, relay.pdf(randomPdf(2_000)))));

            // three kills: one while the first process starts and fans the submissions out, two in the middle of
            // the uploads; each a random number of milliseconds after its moment, so that it lands anywhere in a
            // transaction. The seed is printed, so that a failing run can be repeated.
            long seed = Long.getLong("kill.seed", System.nanoTime());
            Random random = new Random(seed);
            List<String> kills = new ArrayList<>();
            // every relay process started, so that a failing run leaves none behind
            List<Process> started = new ArrayList<>();
            try {
                Process process = started(started, startRelayProcess(relay, "1"));
                Thread.sleep(500 + random.nextInt(2000));
                kills.add(kill(process, relay, ids, "while starting"));
                int[] thresholds = {100 + random.nextInt(100), 250 + random.nextInt(100)};
                for (int i = 0; i < thresholds.length; i++) {
                    int threshold = thresholds[i];
                    process = started(started, startRelayProcess(relay, String.valueOf(i + 2)));
                    await().atMost(Duration.ofSeconds(120)).until(() -> processedCount(relay, ids, "int_kill") >= threshold);
                    Thread.sleep(random.nextInt(300));
                    kills.add(kill(process, relay, ids, "mid-run"));
                }
                started(started, startRelayProcess(relay, "4"));
                Figures figures = awaitAll(relay, ids, "int_kill", bucket, relay.serverA, Duration.ofSeconds(180));
                figures.print("relay process killed with kill -9 three times (" + String.join(", ", kills) + "; seed "
                        + seed + "), restarted each time", 3);
                assertThat(figures.lost()).isZero();
                assertThat(figures.failed()).isZero();
                // at-least-once: a job redone after a kill may say processed twice, never anything else
                assertThat(ids.stream().flatMap(id -> relay.statusesOf(id).stream()).filter(FaultInjectionTest::terminal)
                        .map(s -> s.path("state").asText())).containsOnly("processed");
            } finally {
                for (Process process : started) {
                    process.destroy();
                    process.waitFor();
                }
            }
        }
    }

    private static Process started(List<Process> started, Process process) {
        started.add(process);
        return process;
    }

    private static String kill(Process process, RelayFixture relay, List<String> ids, String moment) throws InterruptedException {
        process.destroyForcibly().waitFor();
        return moment + " after " + processedCount(relay, ids, "int_kill") + " of " + ids.size();
    }

    /** The relay as its own JVM, as `java -jar target/s3-relay.jar` would run it, on the fixture's broker. */
    private static Process startRelayProcess(RelayFixture relay, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of("target", "fault-injection-relay-" + name + ".log");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Ds3relay.broker.url=" + relay.brokerUrl(),
                "-Ds3relay.data.dir=" + relay.dir.resolve("process-" + name),
                "-Ds3relay.source.file-root=" + relay.dir.resolve("pdfs"),
                "-Ds3relay.integrations.file=" + relay.integrationsFile(),
                "-Ds3relay.local-s3.enabled=false",
                "-Dcamel.management.enabled=false",
                "-Dcamel.main.jmxEnabled=false",
                "io.s3relay.S3Relay", "run"));
        return new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(newId("sub"));
        }
        return ids;
    }

    static void sendSlowly(RelayFixture relay, String account, List<String> ids, long pauseMillis) {
        for (String id : ids) {
            relay.send(submission(id, account, false, relay.pdf(randomPdf(2_000))));
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static long processedCount(RelayFixture relay, List<String> ids, String integrationId) {
        return ids.stream().filter(id -> relay.statusesOf(id).stream()
                .anyMatch(s -> integrationId.equals(s.path("integration_id").asText()) && s.path("state").asText().equals("processed")))
                .count();
    }

    /** Waits until every job has a terminal status, then counts objects and statuses. */
    static Figures awaitAll(RelayFixture relay, List<String> ids, String integrationId, String bucket, S3Server server,
                                    Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> ids.stream().allMatch(id ->
                relay.statusesOf(id).stream().anyMatch(FaultInjectionTest::terminal)));
        long found = ids.stream().filter(id -> server.objects().read(bucket, id + ".pdf") != null).count();
        long failed = ids.stream().filter(id -> relay.statusesOf(id).stream()
                .anyMatch(s -> s.path("state").asText().equals("failed"))).count();
        ids.stream().filter(id -> server.objects().read(bucket, id + ".pdf") == null).limit(5).forEach(id ->
                System.out.println("missing object " + id + ": statuses " + relay.statusesOf(id)));
        long duplicates = ids.stream().mapToLong(id -> Math.max(0,
                relay.statusesOf(id).stream().filter(FaultInjectionTest::terminal).count() - 1)).sum();
        return new Figures(ids.size(), found, ids.size() - found, failed, duplicates);
    }

    static boolean terminal(JsonNode status) {
        String state = status.path("state").asText();
        return state.equals("processed") || state.equals("failed");
    }

    record Figures(long sent, long found, long lost, long failed, long duplicateTerminalStatuses) {
        void print(String scenario, int faults) {
            String line = String.format("| %s | %d | %d | %d | %d | %d | %d |%n", scenario, sent, faults, found, lost, failed,
                    duplicateTerminalStatuses);
            System.out.print("fault injection: " + line);
            try {
                Files.writeString(Path.of("target", "reliability-figures.md"), line,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
