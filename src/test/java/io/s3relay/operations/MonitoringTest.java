package io.s3relay.operations;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.support.LogCapture;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/** What operators watch: Jolokia for Hawtio's Camel plugin, and JSON log lines for log shippers. */
class MonitoringTest extends RelayRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int port = RelayFixture.freePort();

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(port),
                "s3relay.metrics.queue-depth-interval", "300");
    }

    /** Jolokia reads the routes' statistics from their MBeans: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    @Test
    void servesRouteStatisticsOverJolokiaAndUploadMetricsForPrometheusWithoutSecrets() throws Exception {
        context.start();
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_watched", account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(newId("sub"));
            servers.send(submission(ids.get(i), account, false, servers.pdf(randomPdf(1000))));
        }
        ids.forEach(id -> servers.awaitStatus(id, "int_watched", "processed"));

        // Jolokia answers POSTed JSON only (JolokiaAccessTest says who may call it and what it refuses)
        JolokiaClient jolokia = new JolokiaClient(port);
        JsonNode routes = await().atMost(Duration.ofSeconds(10)).until(() -> jolokia.post(Map.of("type", "read",
                "mbean", "org.apache.camel:context=*,type=routes,name=*",
                "attribute", List.of("ExchangesCompleted", "RouteId", "State"))),
                r -> r.path("status").asInt() == 200);
        Map<String, JsonNode> byRoute = new java.util.HashMap<>();
        routes.path("value").forEach(route -> byRoute.put(route.path("RouteId").asText(), route));
        assertThat(byRoute).containsKeys("submissions", "uploads", "upload");
        // each copy goes through the upload step, whether within its submission or as a job
        assertThat(byRoute.get("upload").path("ExchangesCompleted").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(byRoute.get("submissions").path("State").asText()).isEqualTo("Started");
        // the route diagram Hawtio shows comes from this operation
        JsonNode xml = jolokia.exec(JolokiaAccessTest.CONTEXT, "dumpRoutesAsXml()");
        assertThat(xml.toString()).contains("put-object").doesNotContain(servers.serverA.secretKey());
        JsonNode everything = jolokia.post(Map.of("type", "read", "mbean", "org.apache.camel:context=*,type=endpoints,name=*"));
        assertThat(everything.toString()).doesNotContain(servers.serverA.secretKey()).doesNotContain(servers.serverB.secretKey());

        // a heap dump or a diagnostic command would carry the secrets out: Jolokia refuses them
        JsonNode dump = jolokia.exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)",
                servers.dir.resolve("relay.hprof").toString(), true);
        assertThat(dump.path("status").asInt()).isEqualTo(403);
        assertThat(servers.dir.resolve("relay.hprof")).doesNotExist();
        assertThat(jolokia.exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()")
                .path("status").asInt()).isEqualTo(403);
        assertThat(jolokia.read("java.lang:type=Threading", "ThreadCount").path("status").asInt()).isEqualTo(200);

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("s3relay_uploads_total\\{[^}]*integration=\"int_watched\"[^}]*state=\"processed\"[^}]*} 5\\.0")
                .containsPattern("s3relay_upload_bytes_total\\{[^}]*integration=\"int_watched\"[^}]*} 5000\\.0")
                .containsPattern("s3relay_upload_duration_seconds_count\\{[^}]*integration=\"int_watched\"[^}]*} 5")
                .doesNotContain(servers.serverA.secretKey());

        // queue depths from the broker's statistics: one dead letter waits, no upload job does; the events queue,
        // which the broker has not made, reads 0, and its unanswered questions are no warning at every reading
        try (LogCapture logs = new LogCapture()) {
            servers.send("this is not a submission");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body())
                    .contains("s3relay_queue_depth{queue=\"s3relay.dlq\"} 1.0")
                    .contains("s3relay_queue_depth{queue=\"s3relay.uploads\"} 0.0")
                    .contains("s3relay_queue_depth{queue=\"s3relay.submissions\"} 0.0")
                    .contains("s3relay_queue_depth{queue=\"s3relay.events\"} 0.0"));
            assertThat(logs.text()).doesNotContain("waiting for reply message");
        }
    }

    @Test
    void writesJsonLinesWhenAskedTo() throws Exception {
        // the relay of this test runs as a process of its own, on the class's servers; the kit's stays unstarted
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Ds3relay.log.format=json", "-Ds3relay.broker.url=" + servers.brokerUrl(),
                "-Ds3relay.data.dir=" + servers.dir.resolve("json-run"), "-Ds3relay.local-s3.enabled=false",
                "-Ds3relay.integrations.file=" + servers.integrationsFile(), "-Dcamel.management.enabled=false",
                "io.s3relay.S3Relay", "run")
                .directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true).start();
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.isBlank() || line.startsWith("SLF4J")) {
                    continue;
                }
                lines.add(JSON.readTree(line));
                if (line.contains("started in")) {
                    break;
                }
            }
        } finally {
            process.destroy();
            process.waitFor();
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("log.level").asText()).isNotBlank();
            assertThat(line.path("message").isTextual()).isTrue();
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("message").asText()).contains("s3-relay"));
    }
}
