package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/**
 * One customer's bucket stalls (accepts connections, never answers) and another's answers 503 SlowDown to
 * everything: a healthy account's uploads keep their pace. Phases with and without the failing buckets take turns in
 * the same run: each disturbed phase is compared with the mean of the undisturbed phases before and after it, and
 * the median of the rounds' ratios is the figure. This shared machine's speed drifts by tens of percent within a
 * minute (the JIT compiler's work still falls in the first phases): a single round measures the drift as much as the
 * failing buckets, and one round in a run can read far off the others either way (0.62 beside 0.88 and 1.14). Of
 * 36 rounds in twelve CI runs, 3 read below 0.8: the median of five rounds fails only when three of them do.
 * <p>
 * Two defences keep the pace, and either one alone is enough here: a failing integration's copies leave the
 * submissions' consumers for the upload jobs' (its first failure makes it unhealthy, and its next copies go as
 * jobs), and within each pool the fair shares and the circuit keep failing integrations to half the consumers at
 * most. With both taken out, the healthy account's five rounds read 0.66, 0.63, 0.70, 0.54 and 0.68 of its undisturbed
 * rate (median 0.66).
 * {@link FairSchedulingTest} checks the shares on their own.
 */
class IsolationTest extends RelayRouteTestSupport {

    /**
     * A phase's length: the healthy account's uploads in it are as many as it did in this many seconds in its last
     * undisturbed phase. The failing buckets' first calls hold consumers until they time out (a second here), before
     * the relay knows them: a phase must be long beside that, whatever the machine's speed (the relay drains 150
     * uploads/s in a cold JVM here, over 400 in the warm one of a full test run).
     */
    private static final int PHASE_SECONDS = 8;

    /** The healthy account's uploads in each warm-up phase, and the least in any phase. */
    private static final int MIN_UPLOADS = 1_200;

    /** The most in any phase. */
    private static final int MAX_UPLOADS = 6_000;

    /** Disturbed phases; each lies between two undisturbed ones. */
    private static final int ROUNDS = 5;

    /** Submissions to the failing buckets per disturbed phase, half to each. */
    private static final int DISTURBERS = 60;

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.s3.call-timeout", "1000",
                "s3relay.retry.initial-delay", "500",
                "s3relay.retry.max-delay", "2000",
                "s3relay.retry.max-attempts", "50",
                // a failing integration's jobs wait this long once its circuit opens: short, so that after each
                // disturbed phase they come back soon and end as dead letters before the next phase
                "s3relay.integration.circuit.open-millis", "5000");
    }

    @Test
    void keepsAHealthyAccountFlowingWhileOtherBucketsStallOrAnswer503() throws Exception {
        context.start();
        List<Socket> stalled = new CopyOnWriteArrayList<>();
        try (ServerSocket stalling = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!stalling.isClosed()) {
                    try {
                        stalled.add(stalling.accept()); // keep it open, answer nothing
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HttpServer slowDown = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            slowDown.createContext("/", exchange -> {
                byte[] body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".getBytes();
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(503, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            slowDown.start();
            try {
                Tenant healthy = tenant(servers.serverA, TEMPLATE);
                String healthyOnly = "integrations:\n"
                        + integration(healthy.integration(), healthy.account(), servers.serverA, healthy.bucket(), TEMPLATE);
                String pdf = servers.pdf(randomPdf(20_000));

                // warm-up, which also gives the first phase's length
                rate(healthy.account(), pdf, MIN_UPLOADS, List.of());
                double last = rate(healthy.account(), pdf, MIN_UPLOADS, List.of());
                List<Double> undisturbed = new ArrayList<>();
                List<Double> disturbed = new ArrayList<>();
                List<Integer> uploads = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    int count = phaseUploads(last);
                    uploads.add(count);
                    last = rate(healthy.account(), pdf, count, List.of());
                    undisturbed.add(last);
                    count = phaseUploads(last);
                    uploads.add(count);
                    // two new accounts whose buckets fail, put in force beside the healthy one, their submissions
                    // sent alongside the healthy account's
                    Map<String, String> disturbers = failingAccounts(stalling.getLocalPort(), slowDown.getAddress().getPort(), pdf);
                    disturbed.add(rate(healthy.account(), pdf, count, List.copyOf(disturbers.values())));
                    // the failing integrations gone, their jobs end as dead letters with a failed status each:
                    // nothing of theirs is left to weigh on the next undisturbed phase
                    servers.writeIntegrationsFile(healthyOnly);
                    integrations().reload();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> failed(disturbers.keySet()));
                }
                int count = phaseUploads(last);
                uploads.add(count);
                undisturbed.add(rate(healthy.account(), pdf, count, List.of()));

                List<Double> ratios = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    ratios.add(disturbed.get(round) / ((undisturbed.get(round) + undisturbed.get(round + 1)) / 2));
                }
                double ratio = median(ratios);
                String line = String.format("| a healthy account's uploads in phases of about " + PHASE_SECONDS + " s (%s uploads, undisturbed and disturbed in turns) while"
                        + " another bucket stalls and a third answers 503 SlowDown (" + DISTURBERS + " failing submissions per phase)"
                        + " | %.1f uploads/s undisturbed (%s), %.1f disturbed (%s), ratios per round %s | median %.2f |%n",
                        String.join(", ", uploads.stream().map(String::valueOf).toList()), mean(undisturbed),
                        figures("%.1f", undisturbed), mean(disturbed), figures("%.1f", disturbed), figures("%.2f", ratios), ratio);
                System.out.print("isolation: " + line);
                Files.writeString(Path.of("target", "reliability-figures.md"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                // within 20 % of the undisturbed rate: without the defences above, stalled and throttled calls take
                // the consumers the healthy account's copies need
                assertThat(ratio).isGreaterThanOrEqualTo(0.8);
            } finally {
                slowDown.stop(0);
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    /**
     * Puts in force, beside the integrations there, one integration whose bucket stalls and one whose bucket answers
     * 503, each of a new account, and returns their submissions (by id), half to each.
     */
    private Map<String, String> failingAccounts(int stallingPort, int slowDownPort, String pdf) {
        String stallingAccount = newId("acc");
        String throttledAccount = newId("acc");
        addIntegrations(
                integration("int_" + stallingAccount, stallingAccount, servers.serverA, "http://127.0.0.1:" + stallingPort,
                        "stalls", TEMPLATE),
                integration("int_" + throttledAccount, throttledAccount, servers.serverA, "http://127.0.0.1:" + slowDownPort,
                        "throttled", TEMPLATE));
        Map<String, String> submissions = new LinkedHashMap<>();
        for (int i = 0; i < DISTURBERS; i++) {
            String id = newId("sub");
            submissions.put(id, submission(id, i % 2 == 0 ? stallingAccount : throttledAccount, false, pdf));
        }
        return submissions;
    }

    private static boolean failed(Set<String> submissionIds) {
        Set<String> failed = new HashSet<>();
        for (var status : servers.allStatuses()) {
            if (status.path("state").asText().equals("failed")) {
                failed.add(status.path("submission_id").asText());
            }
        }
        return failed.containsAll(submissionIds);
    }

    /** A phase's uploads at the healthy account's last undisturbed rate. */
    private static int phaseUploads(double rate) {
        return (int) Math.max(MIN_UPLOADS, Math.min(MAX_UPLOADS, Math.round(rate * PHASE_SECONDS)));
    }

    private static double mean(List<Double> rates) {
        return rates.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static String figures(String format, List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format(format, v)).toList());
    }

    /**
     * Uploads per second for {@code count} submissions of the healthy account, from the first sent to the last
     * processed, with the submissions alongside sent among its first ones.
     */
    private static double rate(String account, String pdf, int count, List<String> alongside) {
        Set<String> waiting = new HashSet<>();
        int[] read = {servers.allStatuses().size()};
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = newId("sub");
            waiting.add(id);
            servers.send(submission(id, account, false, pdf));
            if (i < alongside.size()) {
                servers.send(alongside.get(i));
            }
        }
        // each poll reads only the statuses that came since the last: the test runs in the relay's JVM, and its own
        // CPU counts
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<JsonNode> statuses = servers.allStatuses();
            for (JsonNode status : statuses.subList(read[0], statuses.size())) {
                if (status.path("state").asText().equals("processed")) {
                    waiting.remove(status.path("submission_id").asText());
                }
            }
            read[0] = statuses.size();
            return waiting.isEmpty();
        });
        return count / ((System.nanoTime() - started) / 1e9);
    }
}
