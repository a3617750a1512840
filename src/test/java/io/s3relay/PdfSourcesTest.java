package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.io.ByteSource;
import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.RelayFixture;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** download_url may be a file, an http(s) URL or an object of the platform's own S3 store. */
class PdfSourcesTest {

    static RelayFixture relay;
    static HttpServer http;
    static final Map<String, byte[]> PUBLISHED = new ConcurrentHashMap<>();
    static final AtomicInteger FAILURES_TO_SERVE = new AtomicInteger();
    static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    static final String SOURCE_BUCKET = "platform-pdfs";

    @BeforeAll
    static void startServers() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            REQUESTS.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
            byte[] body = PUBLISHED.get(exchange.getRequestURI().getPath());
            int status = body == null ? 404 : FAILURES_TO_SERVE.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 200;
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
        // the platform's own store is server B, reached with its credentials
        // PDFs above 200,000 bytes go as jobs, those below within their submission: both read every kind of source
        relay = RelayFixture.startWith(fixture -> Map.of(
                "s3relay.upload.inline-max-bytes", "200000",
                // the test server is on loopback, which downloads reach only when it is listed
                "s3relay.source.allowed-hosts", "127.0.0.1:" + http.getAddress().getPort(),
                "s3relay.source.s3.endpoint", fixture.serverB.endpoint(),
                "s3relay.source.s3.path-style", "true",
                "s3relay.source.s3.access-key", fixture.serverB.accessKey(),
                "s3relay.source.s3.secret-key", fixture.serverB.secretKey()));
        relay.serverB.objects().delegate().createContainer(SOURCE_BUCKET, CreateContainerOptions.NONE);
    }

    @AfterAll
    static void stopServers() throws Exception {
        relay.close();
        http.stop(0);
    }

    @Test
    void readsThePdfFromAnHttpUrl() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        byte[] pdf = randomPdf(300_000);
        PUBLISHED.put("/pdfs/" + id + ".pdf", pdf);

        relay.send(submission(id, account, false, "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/" + id + ".pdf"));

        relay.awaitStatus(id, integrationId, "processed");
        assertThat(relay.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
    }

    @Test
    void leavesAPdfDeclaredAboveTheInlineLimitToItsJob() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String small = newId("sub");
        String large = newId("sub");
        PUBLISHED.put("/pdfs/" + small + ".pdf", randomPdf(100_000));
        PUBLISHED.put("/pdfs/" + large + ".pdf", randomPdf(300_000));
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/";

        relay.send(submission(small, account, false, base + small + ".pdf"));
        relay.send(submission(large, account, false, base + large + ".pdf"));

        relay.awaitStatus(small, integrationId, "processed");
        relay.awaitStatus(large, integrationId, "processed");
        assertThat(relay.serverA.objects().read(bucket, large + ".pdf")).isEqualTo(PUBLISHED.get("/pdfs/" + large + ".pdf"));
        // the small one was asked for once, within its submission; the large one twice: within its submission,
        // which left it to its job on seeing its length (PdfSourceTest), and by the job
        assertThat(REQUESTS.get("/pdfs/" + small + ".pdf")).hasValue(1);
        assertThat(REQUESTS.get("/pdfs/" + large + ".pdf")).hasValue(2);
        assertThat(relay.dir.resolve("relay/tmp")).as("no temporary copy left behind").isEmptyDirectory();
    }

    @Test
    void retriesAnHttpSourceAnswering503AndFailsOneAnswering404() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String flaky = newId("sub");
        String missing = newId("sub");
        PUBLISHED.put("/pdfs/" + flaky + ".pdf", randomPdf(1000));
        FAILURES_TO_SERVE.set(1);
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/";

        relay.send(submission(flaky, account, false, base + flaky + ".pdf"));
        JsonNode processed = relay.awaitStatus(flaky, integrationId, "processed");
        relay.send(submission(missing, account, false, base + missing + ".pdf"));
        JsonNode failed = relay.awaitStatus(missing, integrationId, "failed");

        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("answered HTTP 404");
    }

    @Test
    void readsThePdfFromThePlatformsOwnS3Store() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        byte[] pdf = randomPdf(200_000);
        relay.serverB.objects().delegate().putBlob(SOURCE_BUCKET,
                Blob.builder("generated/" + id + ".pdf").payload(ByteSource.wrap(pdf)).build(), PutOptions.NONE);

        relay.send(submission(id, account, false, "s3://" + SOURCE_BUCKET + "/generated/" + id + ".pdf"));

        relay.awaitStatus(id, integrationId, "processed");
        assertThat(relay.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
    }
}
