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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/**
 * One customer's bucket stalls (accepts connections, never answers) and another's answers 503 SlowDown to
 * everything: a healthy account's uploads keep their pace. Compared in the same run with the undisturbed rate.
 */
class IsolationTest extends RelayRouteTestSupport {

    /** The healthy account's uploads per phase. */
    private static final int UPLOADS = 1_200;

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.s3.call-timeout", "1000",
                "s3relay.retry.initial-delay", "500",
                "s3relay.retry.max-delay", "2000",
                "s3relay.retry.max-attempts", "50");
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
                String stallingAccount = newId("acc");
                String throttledAccount = newId("acc");
                addIntegrations(
                        integration("int_stalling", stallingAccount, servers.serverA, "http://127.0.0.1:" + stalling.getLocalPort(),
                                "stalls", TEMPLATE),
                        integration("int_503", throttledAccount, servers.serverA, "http://127.0.0.1:" + slowDown.getAddress().getPort(),
                                "throttled", TEMPLATE));
                String pdf = servers.pdf(randomPdf(20_000));

                // warm-up, then the undisturbed rate. At full speed (about 200 uploads/s on 2 cores) a phase lasts
                // several seconds, well beyond the second the relay needs to find a stalling bucket out (its
                // call-timeout): 300 uploads took 1.5 s, which that first second dominated
                rate(healthy.account(), pdf, UPLOADS, List.of());
                double before = rate(healthy.account(), pdf, UPLOADS, List.of());
                // the same load while two other accounts' buckets fail, their submissions sent alongside
                List<String> disturbers = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    disturbers.add(submission(newId("sub"), i % 2 == 0 ? stallingAccount : throttledAccount, false, pdf));
                }
                double disturbed = rate(healthy.account(), pdf, UPLOADS, disturbers);
                // undisturbed again, once the failing integrations are gone (their jobs end as dead letters): this
                // shared machine's speed drifts, and the mean of the rates before and after cancels a steady drift
                servers.writeIntegrationsFile("integrations:\n"
                        + integration(healthy.integration(), healthy.account(), servers.serverA, healthy.bucket(), TEMPLATE));
                integrations().reload();
                double after = rate(healthy.account(), pdf, UPLOADS, List.of());

                double undisturbed = (before + after) / 2;
                double ratio = disturbed / undisturbed;
                String line = String.format("| a healthy account's " + UPLOADS + " uploads while another bucket stalls and a third answers 503 SlowDown"
                        + " (60 failing submissions) | %.1f uploads/s undisturbed (%.1f before, %.1f after), %.1f disturbed, ratio %.2f |%n",
                        undisturbed, before, after, disturbed, ratio);
                System.out.print("isolation: " + line);
                Files.writeString(Path.of("target", "reliability-figures.md"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                // within 20 % of the undisturbed rate: without the bulkhead and circuit, stalled calls take the
                // consumers and the ratio falls far below
                assertThat(ratio).isGreaterThanOrEqualTo(0.8);
            } finally {
                slowDown.stop(0);
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    /** Uploads per second for count submissions of the healthy account, from the first sent to the last processed. */
    private static double rate(String account, String pdf, int count, List<String> alongside) {
        List<String> ids = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = newId("sub");
            ids.add(id);
            servers.send(submission(id, account, false, pdf));
            if (i < alongside.size()) {
                servers.send(alongside.get(i));
            }
        }
        // one pass over the statuses per poll: the test runs in the relay's JVM, and its own CPU counts
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
            java.util.Set<String> processed = new java.util.HashSet<>();
            for (var status : servers.allStatuses()) {
                if (status.path("state").asText().equals("processed")) {
                    processed.add(status.path("submission_id").asText());
                }
            }
            return processed.containsAll(ids);
        });
        return count / ((System.nanoTime() - started) / 1e9);
    }
}
