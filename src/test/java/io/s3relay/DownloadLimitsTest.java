package io.s3relay;

import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.LogCapture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * s3relay.source.allowed-hosts lists host:port exactly, and no download holds its consumer for longer than the read
 * timeouts: one consumer per queue, so that a download that hung would keep every submission behind it waiting.
 * A relay for each test (the kit's default), whose settings name the ports of the source servers.
 */
class DownloadLimitsTest extends RelayRouteTestSupport {

    static final int IDLE_MILLIS = 1500;
    static final int TOTAL_MILLIS = 3000;
    /** The listed source: PDFs, a stalling one, a trickling one, and a stalling object of the platform's store. */
    static HttpServer listed;
    /** The same host on another port, not listed. */
    static HttpServer unlisted;
    static ExecutorService handlers = Executors.newCachedThreadPool();
    static final CountDownLatch STOP = new CountDownLatch(1);
    static final Map<String, byte[]> PUBLISHED = new ConcurrentHashMap<>();
    static final AtomicInteger UNLISTED_REQUESTS = new AtomicInteger();

    @BeforeAll
    static void startSources() throws Exception {
        listed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        listed.setExecutor(handlers);
        listed.createContext("/pdfs/", exchange -> {
            byte[] body = PUBLISHED.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        // the headers, a few bytes, then nothing
        listed.createContext("/stalled/", exchange -> trickle(exchange, 0));
        listed.createContext("/platform/stalled/", exchange -> trickle(exchange, 0));
        // a byte every 500 ms: never idle for long, never done
        listed.createContext("/trickle/", exchange -> trickle(exchange, 500));
        listed.start();
        unlisted = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        unlisted.createContext("/", exchange -> {
            UNLISTED_REQUESTS.incrementAndGet();
            exchange.sendResponseHeaders(200, 4);
            exchange.getResponseBody().write("%PDF".getBytes());
            exchange.close();
        });
        unlisted.start();
    }

    @Override
    protected Map<String, String> settings() {
        String source = "127.0.0.1:" + listed.getAddress().getPort();
        return Map.ofEntries(
                Map.entry("s3relay.source.allowed-hosts", "example.invalid, " + source),
                Map.entry("s3relay.source.read-idle-timeout", String.valueOf(IDLE_MILLIS)),
                Map.entry("s3relay.source.read-timeout", String.valueOf(TOTAL_MILLIS)),
                Map.entry("s3relay.submissions.concurrency", "1"),
                Map.entry("s3relay.upload.concurrency", "1"),
                // the platform's own store, for s3:// URLs, is the listed server too
                Map.entry("s3relay.source.s3.endpoint", "http://" + source),
                Map.entry("s3relay.source.s3.path-style", "true"),
                Map.entry("s3relay.source.s3.access-key", "platform-key"),
                Map.entry("s3relay.source.s3.secret-key", "platform-secret"));
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    private static void trickle(HttpExchange exchange, long everyMillis) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/pdf");
        exchange.getResponseHeaders().add("ETag", "\"" + UUID.randomUUID() + "\"");
        exchange.sendResponseHeaders(200, 1_000_000);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("%PDF-1.4\n".getBytes());
            out.flush();
            while (!STOP.await(everyMillis == 0 ? 60_000 : everyMillis, TimeUnit.MILLISECONDS)) {
                if (everyMillis == 0) {
                    return;
                }
                out.write('x');
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException closedByTheRelay) {
            // what a relay that gave up does
        } finally {
            exchange.close();
        }
    }

    @AfterAll
    static void stopSources() {
        STOP.countDown();
        listed.stop(0);
        unlisted.stop(0);
        handlers.shutdownNow();
    }


    @Test
    void downloadsFromTheListedHostAndPortOnly() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String good = newId("sub");
        String otherPort = newId("sub");
        String otherName = newId("sub");
        byte[] pdf = randomPdf(5000);
        PUBLISHED.put("/pdfs/" + good + ".pdf", pdf);
        int port = listed.getAddress().getPort();

        servers.send(submission(good, account, false, "http://127.0.0.1:" + port + "/pdfs/" + good + ".pdf"));
        servers.send(submission(otherPort, account, false, "http://127.0.0.1:" + unlisted.getAddress().getPort() + "/x.pdf"));
        servers.send(submission(otherName, account, false, "http://localhost:" + port + "/pdfs/" + good + ".pdf"));

        servers.awaitStatus(good, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, good + ".pdf")).isEqualTo(pdf);
        assertThat(servers.awaitStatus(otherPort, integrationId, "failed").path("error").asText())
                .contains("download_url host 127.0.0.1 is not an allowed source host on port " + unlisted.getAddress().getPort())
                .contains("s3relay.source.allowed-hosts");
        assertThat(servers.awaitStatus(otherName, integrationId, "failed").path("error").asText())
                .contains("download_url host localhost is not an allowed source host on port " + port);
        assertThat(servers.awaitDeadLetter(d -> d.body().contains(otherPort)).headers())
                .containsEntry("s3relay_error_class", "permanent");
        assertThat(UNLISTED_REQUESTS).hasValue(0);
        assertThat(servers.serverA.objects().read(bucket, otherPort + ".pdf")).isNull();
        assertThat(servers.serverA.objects().read(bucket, otherName + ".pdf")).isNull();
    }

    @Test
    void aStalledDownloadFailsAfterTheIdleTimeoutAndFreesItsConsumer() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String stalled = newId("sub");
        String behind = newId("sub");
        String signature = "sig" + UUID.randomUUID().toString().replace("-", "");
        String password = "pw-" + UUID.randomUUID();

        try (LogCapture logs = new LogCapture()) {
            long sent = System.nanoTime();
            servers.send(submission(stalled, account, false, "http://reader:" + password + "@127.0.0.1:" + listed.getAddress().getPort()
                    + "/stalled/" + stalled + ".pdf?X-Amz-Signature=" + signature));
            servers.send(submission(behind, account, false, servers.pdf(randomPdf(1000))));

            servers.awaitStatus(behind, integrationId, "processed");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("the submission behind waited for the idle timeout only")
                    .isLessThan(Duration.ofMillis(IDLE_MILLIS + 6000));
            JsonNode failed = servers.awaitStatus(stalled, integrationId, "failed");
            assertThat(failed.path("error").asText())
                    .contains("stopped: no byte for s3relay.source.read-idle-timeout (" + IDLE_MILLIS + " ms)")
                    .contains("X-Amz-Signature=REDACTED");
            // transient: retried, then dead-lettered once the attempts are used up
            assertThat(failed.path("attempts").asInt()).isEqualTo(3);
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(stalled));
            assertThat(letter.headers()).containsEntry("s3relay_error_class", "retries-exhausted");
            assertThat(letter.headers().toString()).doesNotContain(signature).doesNotContain(password);
            assertThat(failed.toString()).doesNotContain(signature).doesNotContain(password);
            assertThat(logs.text()).contains("read-idle-timeout").doesNotContain(signature).doesNotContain(password);
        }
    }

    @Test
    void aTricklingDownloadFailsAfterTheReadTimeout() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String trickling = newId("sub");
        String behind = newId("sub");

        long sent = System.nanoTime();
        servers.send(submission(trickling, account, false, "http://127.0.0.1:" + listed.getAddress().getPort()
                + "/trickle/" + trickling + ".pdf"));
        servers.send(submission(behind, account, false, servers.pdf(randomPdf(1000))));

        servers.awaitStatus(behind, integrationId, "processed");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofMillis(TOTAL_MILLIS + 6000));
        JsonNode failed = servers.awaitStatus(trickling, integrationId, "failed");
        assertThat(failed.path("error").asText()).contains("stopped: took more than s3relay.source.read-timeout ("
                + TOTAL_MILLIS + " ms)");
        assertThat(servers.awaitDeadLetter(d -> d.body().contains(trickling)).headers())
                .containsEntry("s3relay_error_class", "retries-exhausted");
        assertThat(servers.serverA.objects().read(bucket, trickling + ".pdf")).isNull();
    }

    @Test
    void aStalledObjectOfThePlatformsStoreFailsAfterTheIdleTimeout() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String stalled = newId("sub");
        String behind = newId("sub");

        servers.send(submission(stalled, account, false, "s3://platform/stalled/" + stalled + ".pdf"));
        servers.send(submission(behind, account, false, servers.pdf(randomPdf(1000))));

        servers.awaitStatus(behind, integrationId, "processed");
        JsonNode failed = servers.awaitStatus(stalled, integrationId, "failed");
        assertThat(failed.path("error").asText()).contains("no byte for s3relay.source.read-idle-timeout");
        assertThat(servers.awaitDeadLetter(d -> d.body().contains(stalled)).headers())
                .containsEntry("s3relay_error_class", "retries-exhausted");
    }
}
