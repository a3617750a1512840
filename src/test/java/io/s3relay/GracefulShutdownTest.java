package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayProcess;
import org.junit.jupiter.api.Test;

/**
 * Runs relays as processes of their own: SIGTERM and the exit it leads to can only be given to a separate JVM.
 * <p>
 * Scale-in as Kubernetes does it: a relay process under load gets SIGTERM. It stops taking messages, finishes the
 * uploads it has in flight within the shutdown bound (camel.main.shutdown-timeout) and exits; what it had not
 * started stays on the broker. A relay started afterwards does the rest: nothing lost, and nothing the first one
 * finished done again (no key put twice, no second processed status).
 */
class GracefulShutdownTest {

    private static final int SUBMISSIONS = 300;
    private static final int SIGNAL_AFTER = 50;

    @Test
    void aRelayGivenSigtermUnderLoadExitsWithinTheBoundAndLosesAndRepeatsNothing() throws Exception {
        long bound = shutdownTimeoutSeconds();
        // the relays of this test run as processes of their own
        try (RelayFixture relay = RelayFixture.serversOnly(Map.of())) {
            String account = newId("acc");
            String bucket = relay.newBucket(relay.serverA);
            relay.addIntegrations(integration("int_term", account, relay.serverA, bucket,
                    "path_template: \"{{ submission_id }}.pdf\""));
            // a bucket that takes 100 ms per object: 300 uploads last several seconds, and some are in flight at
            // the signal
            relay.serverA.objects().delayPuts(Duration.ofMillis(100));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SUBMISSIONS; i++) {
                String id = newId("sub");
                ids.add(id);
                relay.send(submission(id, account, false, relay.pdf(randomPdf(4_000))));
            }

            Map<String, String> settings = Map.of(
                    "s3relay.broker.url", relay.brokerUrl(),
                    "s3relay.source.file-root", relay.dir.resolve("pdfs").toString(),
                    "s3relay.integrations.file", relay.integrationsFile().toString());
            long atSignal;
            long storedAtExit;
            double exitSeconds;
            try (RelayProcess first = RelayProcess.start("first", with(settings, "s3relay.data.dir",
                    relay.dir.resolve("first").toString()), Path.of("target", "graceful-shutdown-relay-1.log"))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> processed(relay, "int_term") >= SIGNAL_AFTER);
                atSignal = stored(relay, bucket, ids);
                long signalled = System.nanoTime();
                first.terminate();
                boolean exited = first.awaitExit(bound + 30, TimeUnit.SECONDS);
                exitSeconds = (System.nanoTime() - signalled) / 1e9;
                assertThat(exited).as("the relay exited after SIGTERM; see " + first.log()).isTrue();
                storedAtExit = stored(relay, bucket, ids);
            }
            assertThat(storedAtExit).as("uploads left for the next relay").isLessThan(SUBMISSIONS);

            try (RelayProcess second = RelayProcess.start("second", with(settings, "s3relay.data.dir",
                    relay.dir.resolve("second").toString()), Path.of("target", "graceful-shutdown-relay-2.log"))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> processed(relay, "int_term") >= SUBMISSIONS);
                // a job done twice would say so late: give it the time of a few uploads
                Thread.sleep(2_000);
            }

            long stored = stored(relay, bucket, ids);
            long lost = SUBMISSIONS - stored;
            long keysPutTwice = relay.serverA.objects().keysPutMoreThanOnce();
            Map<String, Integer> processedPerJob = processedPerJob(relay, "int_term");
            long repeatedStatuses = processedPerJob.values().stream().mapToLong(n -> n - 1).sum();
            long failed = relay.allStatuses().stream().filter(s -> s.path("state").asText().equals("failed")).count();
            String line = String.format("| SIGTERM after %d of %d uploads | %.1f s (bound %d s) | %d | %d | %d | %d | %d |%n",
                    atSignal, SUBMISSIONS, exitSeconds, bound, storedAtExit - atSignal, stored, lost, keysPutTwice,
                    repeatedStatuses);
            System.out.print("graceful shutdown: | moment | exit | finished after the signal | stored | lost "
                    + "| keys put twice | repeated processed statuses |\n" + line);
            Files.writeString(Path.of("target", "reliability-figures.md"), line, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);

            assertThat(exitSeconds).as("exit after SIGTERM, within camel.main.shutdown-timeout").isLessThan(bound);
            assertThat(lost).isZero();
            assertThat(failed).isZero();
            assertThat(keysPutTwice).as("keys put twice").isZero();
            assertThat(repeatedStatuses).as("processed statuses repeated").isZero();
            for (String id : ids) {
                assertThat(relay.serverA.objects().putsOf(bucket, id + ".pdf")).as(id).isEqualTo(1);
            }
        }
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(key, value);
        return all;
    }

    private static long stored(RelayFixture relay, String bucket, List<String> ids) {
        return ids.stream().filter(id -> relay.serverA.objects().putsOf(bucket, id + ".pdf") > 0).count();
    }

    private static long processed(RelayFixture relay, String integrationId) {
        return processedPerJob(relay, integrationId).size();
    }

    private static Map<String, Integer> processedPerJob(RelayFixture relay, String integrationId) {
        Map<String, Integer> perJob = new HashMap<>();
        for (JsonNode status : relay.allStatuses()) {
            if (integrationId.equals(status.path("integration_id").asText()) && status.path("state").asText().equals("processed")) {
                perJob.merge(status.path("submission_id").asText(), 1, Integer::sum);
            }
        }
        return perJob;
    }

    /** The shutdown bound the relay runs with: camel.main.shutdown-timeout of application.properties. */
    static long shutdownTimeoutSeconds() throws IOException {
        Properties settings = new Properties();
        try (InputStream in = GracefulShutdownTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            settings.load(in);
        }
        return Long.parseLong(settings.getProperty("camel.main.shutdown-timeout").trim());
    }
}
