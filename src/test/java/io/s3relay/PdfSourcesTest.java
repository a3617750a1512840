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
import io.s3relay.support.RelayRouteTestSupport;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * download_url may be a file, an http(s) URL or an object of the platform's own S3 store. One relay for the class:
 * no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PdfSourcesTest extends RelayRouteTestSupport {

    static final Map<String, byte[]> PUBLISHED = new ConcurrentHashMap<>();
    static final AtomicInteger FAILURES_TO_SERVE = new AtomicInteger();
    static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    static final String SOURCE_BUCKET = "platform-pdfs";
    /** Started with the class: the relay's settings name its port, and the relay is made before @BeforeAll runs. */
    static final HttpServer http = startHttp();

    private static HttpServer startHttp() {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
        return http;
    }

    /** The platform's own store is server B, reached with its credentials. */
    @Override
    protected Map<String, String> settings() {
        // PDFs above 200,000 bytes go as jobs, those below within their submission: both read every kind of source
        return Map.of(
                "s3relay.upload.inline-max-bytes", "200000",
                // the test server is on loopback, which downloads reach only when it is listed
                "s3relay.source.allowed-hosts", "127.0.0.1:" + http.getAddress().getPort(),
                "s3relay.source.s3.endpoint", servers.serverB.endpoint(),
                "s3relay.source.s3.path-style", "true",
                "s3relay.source.s3.access-key", servers.serverB.accessKey(),
                "s3relay.source.s3.secret-key", servers.serverB.secretKey());
    }

    @BeforeAll
    void makeTheSourceBucket() {
        servers.serverB.objects().delegate().createContainer(SOURCE_BUCKET, CreateContainerOptions.NONE);
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @AfterAll
    static void stopHttp() {
        http.stop(0);
    }

    @Test
    void readsThePdfFromAnHttpUrl() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String id = newId("sub");
        byte[] pdf = randomPdf(300_000);
        PUBLISHED.put("/pdfs/" + id + ".pdf", pdf);

        servers.send(submission(id, account, false, "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/" + id + ".pdf"));

        servers.awaitStatus(id, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
    }

    @Test
    void leavesAPdfDeclaredAboveTheInlineLimitToItsJob() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String small = newId("sub");
        String large = newId("sub");
        PUBLISHED.put("/pdfs/" + small + ".pdf", randomPdf(100_000));
        PUBLISHED.put("/pdfs/" + large + ".pdf", randomPdf(300_000));
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/";

        servers.send(submission(small, account, false, base + small + ".pdf"));
        servers.send(submission(large, account, false, base + large + ".pdf"));

        servers.awaitStatus(small, integrationId, "processed");
        servers.awaitStatus(large, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, large + ".pdf")).isEqualTo(PUBLISHED.get("/pdfs/" + large + ".pdf"));
        // the small one was asked for once, within its submission; the large one twice: within its submission,
        // which left it to its job on seeing its length (PdfSourceTest), and by the job
        assertThat(REQUESTS.get("/pdfs/" + small + ".pdf")).hasValue(1);
        assertThat(REQUESTS.get("/pdfs/" + large + ".pdf")).hasValue(2);
        assertThat(servers.dir.resolve("relay/tmp")).as("no temporary copy left behind").isEmptyDirectory();
    }

    @Test
    void retriesAnHttpSourceAnswering503AndFailsOneAnswering404() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String flaky = newId("sub");
        String missing = newId("sub");
        PUBLISHED.put("/pdfs/" + flaky + ".pdf", randomPdf(1000));
        FAILURES_TO_SERVE.set(1);
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/pdfs/";

        servers.send(submission(flaky, account, false, base + flaky + ".pdf"));
        JsonNode processed = servers.awaitStatus(flaky, integrationId, "processed");
        servers.send(submission(missing, account, false, base + missing + ".pdf"));
        JsonNode failed = servers.awaitStatus(missing, integrationId, "failed");

        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("answered HTTP 404");
    }

    @Test
    void readsThePdfFromThePlatformsOwnS3Store() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String id = newId("sub");
        byte[] pdf = randomPdf(200_000);
        servers.serverB.objects().delegate().putBlob(SOURCE_BUCKET,
                Blob.builder("generated/" + id + ".pdf").payload(ByteSource.wrap(pdf)).build(), PutOptions.NONE);

        servers.send(submission(id, account, false, "s3://" + SOURCE_BUCKET + "/generated/" + id + ".pdf"));

        servers.awaitStatus(id, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isEqualTo(pdf);
    }
}
