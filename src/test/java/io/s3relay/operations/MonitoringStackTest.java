package io.s3relay.operations;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard (deploy/grafana) and the alert rules (deploy/prometheus) read what a running relay exports: a relay
 * that uploads, fails for good and for a while, and whose circuit opened, serves every metric they name, and a real
 * Prometheus (Debian's prometheus package) that scrapes it answers every panel's query with data. One relay for the
 * class, uploading from before the first test to after the last: no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringStackTest extends RelayRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int MANAGEMENT_PORT = RelayFixture.freePort();

    private static ScheduledExecutorService uploads;

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(MANAGEMENT_PORT),
                "s3relay.metrics.queue-depth-interval", "500", "s3relay.events.check-interval", "200",
                "s3relay.integration.circuit.failures", "3", "s3relay.integration.circuit.open-millis", "1000");
    }

    /** Before the first test, once: the kit makes the class's relay after @BeforeAll, in each test's set-up. */
    @BeforeEach
    void startRelayThenUploadSucceedAndFail() {
        context.start();
        if (uploads != null) {
            return;
        }
        String account = newId("acc");
        addIntegrations(
                integration("int_ok", account, servers.serverA, servers.newBucket(servers.serverA), "path_template: \"{{ submission_id }}.pdf\""),
                // no such bucket: permanent failures
                integration("int_gone", account, servers.serverA, "no-such-bucket-" + account.substring(4, 12),
                        "path_template: \"{{ submission_id }}.pdf\""),
                // nothing listens: transient failures, then retries exhausted, and its circuit opens
                integration("int_down", account, servers.serverB, "http://127.0.0.1:" + RelayFixture.freePort(),
                        servers.newBucket(servers.serverB), "path_template: \"{{ submission_id }}.pdf\""));
        String pdf = servers.pdf(randomPdf(20_000));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(newId("sub"));
            servers.send(submission(ids.get(i), account, false, pdf));
        }
        ids.forEach(id -> {
            servers.awaitStatus(id, "int_ok", "processed");
            servers.awaitStatus(id, "int_gone", "failed");
        });
        servers.awaitStatus(ids.get(0), "int_down", "failed");
        // and it keeps uploading while the tests look
        uploads = Executors.newSingleThreadScheduledExecutor();
        uploads.scheduleAtFixedRate(() -> servers.send(submission(newId("sub"), account, false, pdf)), 0, 250,
                TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stopUploading() {
        if (uploads != null) {
            uploads.shutdownNow();
            uploads = null;
        }
    }

    @Test
    void everyMetricTheDashboardAndTheAlertRulesNameIsExported() throws Exception {
        TreeSet<String> named = new TreeSet<>();
        for (PrometheusTools.Query query : concat(PrometheusTools.panelQueries(), PrometheusTools.alertQueries())) {
            named.addAll(PrometheusTools.relayMetrics(query.expr()));
        }
        assertThat(named).contains("s3relay_uploads_total", "s3relay_upload_failures_total",
                "s3relay_upload_duration_seconds_bucket", "s3relay_upload_bytes_total", "s3relay_queue_depth",
                "s3relay_integration_circuit_open", "s3relay_integration_failing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String metrics = get("http://127.0.0.1:" + MANAGEMENT_PORT + "/observe/metrics");
            for (String name : named) {
                assertThat(metrics).as(name + " on /observe/metrics").containsPattern("(?m)^" + name + "[{ ]");
            }
            // what the panels show: failures of each class, and int_down's circuit opened
            assertThat(metrics).containsPattern("s3relay_upload_failures_total\\{[^}]*error_class=\"permanent\"[^}]*integration=\"int_gone\"")
                    .containsPattern("s3relay_upload_failures_total\\{[^}]*error_class=\"transient\"[^}]*integration=\"int_down\"")
                    .containsPattern("s3relay_upload_duration_seconds_bucket\\{[^}]*integration=\"int_ok\"[^}]*le=\"0\\.25\"")
                    .containsPattern("s3relay_integration_failing\\{[^}]*integration=\"int_down\"[^}]*} 1\\.0");
        });
    }

    @Test
    void aRealPrometheusScrapingTheRelayAnswersEveryPanelsQueryWithData() throws Exception {
        Path prometheus = PrometheusTools.require("prometheus");
        int port = RelayFixture.freePort();
        Path dir = Files.createTempDirectory("prometheus");
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: s3-relay
                    metrics_path: /observe/metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(PrometheusTools.ALERTS.toAbsolutePath(), MANAGEMENT_PORT));
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String api = "http://127.0.0.1:" + port;
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(api + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            // the compose Prometheus's rules load and evaluate against the relay's series
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode rules = JSON.readTree(get(api + "/api/v1/rules")).path("data").path("groups").get(0).path("rules");
                assertThat(rules).hasSize(5).allSatisfy(rule -> assertThat(rule.path("health").asText())
                        .as(rule.path("name").asText() + " " + rule.path("lastError").asText()).isEqualTo("ok"));
            });
            for (PrometheusTools.Query query : PrometheusTools.panelQueries()) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    JsonNode answer = JSON.readTree(get(api + "/api/v1/query?query="
                            + URLEncoder.encode(query.expr(), StandardCharsets.UTF_8)));
                    assertThat(answer.path("status").asText()).as(query.name() + ": " + answer).isEqualTo("success");
                    JsonNode result = answer.path("data").path("result");
                    assertThat(result).as(query.name() + " (" + query.expr() + ") returns series").isNotEmpty();
                    List<String> values = new ArrayList<>();
                    result.forEach(series -> values.add(series.path("value").get(1).asText()));
                    assertThat(values).as(query.name() + " (" + query.expr() + ") has a number").anyMatch(v -> !v.equals("NaN"));
                });
            }
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<PrometheusTools.Query> concat(List<PrometheusTools.Query> a, List<PrometheusTools.Query> b) {
        List<PrometheusTools.Query> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
