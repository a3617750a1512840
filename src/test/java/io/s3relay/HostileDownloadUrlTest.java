package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.LogCapture;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * download_url is written by whoever sends the submission: with the default settings (no allowed hosts) it reaches
 * no address of the relay's own host or of the networks behind it, no file outside the file root, and what it
 * carries as credentials never comes back in statuses, dead letters or logs. One relay for the class, with its
 * management server on: no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileDownloadUrlTest extends RelayRouteTestSupport {

    static final int managementPort = RelayFixture.freePort();
    /** A server on loopback that would serve any PDF: the relay must never ask it. */
    static HttpServer internal;
    static final AtomicInteger INTERNAL_REQUESTS = new AtomicInteger();

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(managementPort));
    }

    @BeforeAll
    static void startInternalServer() throws Exception {
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", exchange -> {
            INTERNAL_REQUESTS.incrementAndGet();
            byte[] body = randomPdf(1000);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        internal.start();
    }

    @AfterAll
    static void stopInternalServer() {
        internal.stop(0);
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void refusesTheRelaysOwnJolokiaAndStoresNothing() throws Exception {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String base = "http://127.0.0.1:" + managementPort;
        // the management server does listen there
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        String read = newId("sub");
        String stop = newId("sub");

        servers.send(submission(read, account, false, base + "/observe/jolokia/read/java.lang:type=Runtime/SystemProperties"));
        servers.send(submission(stop, account, false,
                base + "/observe/jolokia/exec/org.apache.camel:context=s3-relay,type=routes,name=%22uploads%22/stop()"));

        for (String id : List.of(read, stop)) {
            JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
            assertThat(failed.path("error").asText())
                    .contains("download_url host 127.0.0.1 is refused, its address is loopback")
                    .contains("list 127.0.0.1:" + managementPort + " in s3relay.source.allowed-hosts");
            assertThat(failed.path("attempts").asInt()).isEqualTo(1);
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
            assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent");
            assertThat((String) letter.headers().get("s3relay_error_message")).contains("loopback");
        }
        assertThat(servers.serverA.objects().read(bucket, read + ".pdf")).isNull();
        assertThat(servers.serverA.objects().read(bucket, stop + ".pdf")).isNull();
        assertThat(servers.serverA.objects().operations()).noneMatch(op -> op.contains(bucket));
        assertThat(context.getRouteController().getRouteStatus("uploads").isStarted()).isTrue();
    }

    @Test
    void refusesEveryInternalAddressAfterResolvingItsName() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        int port = internal.getAddress().getPort();
        // download_url -> what the failed status must say
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("http://localhost:" + port + "/x.pdf", "loopback");
        cases.put("http://127.0.0.1:" + port + "/x.pdf", "loopback (127.0.0.0/8)");
        cases.put("https://127.0.0.1:" + port + "/x.pdf", "loopback (127.0.0.0/8)");
        cases.put("http://[::1]:" + port + "/x.pdf", "loopback (::1)");
        cases.put("http://[::ffff:127.0.0.1]:" + port + "/x.pdf", "loopback");
        cases.put("http://0.0.0.0:" + port + "/x.pdf", "unspecified");
        cases.put("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "cloud metadata");
        cases.put("http://[::ffff:169.254.169.254]/latest/meta-data/", "cloud metadata");
        cases.put("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata");
        cases.put("http://169.254.10.1/x.pdf", "link-local (169.254.0.0/16)");
        cases.put("http://[fe80::1]/x.pdf", "link-local (fe80::/10)");
        cases.put("http://10.20.30.40:" + port + "/x.pdf", "private (10.0.0.0/8)");
        cases.put("http://172.16.5.4/x.pdf", "private (172.16.0.0/12)");
        cases.put("http://192.168.1.1/x.pdf", "private (192.168.0.0/16)");
        cases.put("http://[fc00::1]/x.pdf", "unique local (fc00::/7)");
        cases.put("http://100.64.0.1/x.pdf", "carrier-grade NAT (100.64.0.0/10)");
        cases.put("http://224.0.0.1/x.pdf", "multicast");
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        cases.keySet().forEach(url -> {
            String id = newId("sub");
            ids.put(url, id);
            servers.send(submission(id, account, false, url));
        });

        SoftAssertions softly = new SoftAssertions();
        cases.forEach((url, reason) -> {
            JsonNode failed = servers.awaitStatus(ids.get(url), integrationId, "failed");
            softly.assertThat(failed.path("error").asText()).as(url).contains("is refused, its address is " + reason);
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(ids.get(url)));
            softly.assertThat(letter.headers().get("s3relay_error_class")).as(url).isEqualTo("permanent");
        });
        softly.assertAll();
        assertThat(INTERNAL_REQUESTS).as("requests that reached the loopback server").hasValue(0);
        assertThat(servers.serverA.objects().operations()).noneMatch(op -> op.contains(bucket));
    }

    @Test
    void readsFilesUnderTheRootOnlyWithTheirLinksFollowed() throws Exception {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        Path root = servers.dir.resolve("pdfs");
        Path outside = Files.createDirectories(servers.dir.resolve("outside-" + UUID.randomUUID()));
        String secret = "secret_access_key: " + UUID.randomUUID();
        Path keys = Files.writeString(outside.resolve("integrations.yaml"), secret);
        Path outsidePdf = Files.write(outside.resolve("other.pdf"), randomPdf(500));
        Path linkToKeys = Files.createSymbolicLink(root.resolve(UUID.randomUUID() + ".pdf"), keys);
        Path linkToFolder = Files.createSymbolicLink(root.resolve("folder-" + UUID.randomUUID()), outside);
        Path inside = Path.of(URI.create(servers.pdf(randomPdf(700))));
        Path linkInside = Files.createSymbolicLink(root.resolve(UUID.randomUUID() + ".pdf"), inside);

        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(newId("sub"), linkToKeys.toUri().toString());
        refused.put(newId("sub"), linkToFolder.resolve("integrations.yaml").toUri().toString());
        refused.put(newId("sub"), outsidePdf.toUri().toString());
        refused.put(newId("sub"), root.toUri() + "../" + outside.getFileName() + "/other.pdf");
        String good = newId("sub");
        refused.forEach((id, url) -> servers.send(submission(id, account, false, url)));
        servers.send(submission(good, account, false, linkInside.toUri().toString()));

        servers.awaitStatus(good, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, good + ".pdf")).isEqualTo(Files.readAllBytes(inside));
        SoftAssertions softly = new SoftAssertions();
        refused.forEach((id, url) -> {
            JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
            softly.assertThat(failed.path("error").asText()).as(url).contains("is outside the allowed file root");
            softly.assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).as(url).isNull();
        });
        softly.assertAll();
    }

    @Test
    void neverEchoesCredentialsOrSignedQueriesOfTheUrl() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String bucket = tenant.bucket();
        String integrationId = tenant.integration();
        String password = "pw-" + UUID.randomUUID();
        String signature = "sig" + UUID.randomUUID().toString().replace("-", "");
        String credential = "AKIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
        String token = "tok-" + UUID.randomUUID();
        List<String> secrets = List.of(password, signature, credential, token);
        int port = internal.getAddress().getPort();
        // submission id -> download_url; the failed status of those marked names the URL, redacted
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        java.util.Set<String> named = new java.util.HashSet<>();
        // refused address (the message names the host, not the URL)
        urls.put(newId("sub"), "http://alice:" + password + "@127.0.0.1:" + port + "/x.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=" + credential + "%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=" + signature);
        // not a URL: the parser's own message would quote it all
        named.add(put(urls, "http://alice:" + password + "@bad host/x.pdf?token=" + token));
        // no source store
        named.add(put(urls, "s3://platform/x.pdf?Signature=" + signature + "&sig=" + token));
        // a file URL with a query
        named.add(put(urls, servers.dir.resolve("pdfs").toUri() + "missing.pdf?sig=" + signature));

        try (LogCapture logs = new LogCapture()) {
            urls.forEach((id, url) -> servers.send(submission(id, account, false, url)));
            SoftAssertions softly = new SoftAssertions();
            urls.forEach((id, url) -> {
                JsonNode failed = servers.awaitStatus(id, integrationId, "failed");
                DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id));
                if (named.contains(id)) {
                    softly.assertThat(failed.path("error").asText()).as(url).contains("=REDACTED");
                } else {
                    softly.assertThat(failed.path("error").asText()).as(url).contains("is refused");
                }
                for (String secret : secrets) {
                    softly.assertThat(failed.toString()).as("status of " + url).doesNotContain(secret);
                    softly.assertThat(letter.headers().toString()).as("dead-letter headers of " + url).doesNotContain(secret);
                }
            });
            // the failures were logged
            softly.assertThat(logs.text()).contains("state=failed");
            for (String secret : secrets) {
                softly.assertThat(logs.text()).as("logs").doesNotContain(secret);
            }
            softly.assertAll();
        }
        assertThat(INTERNAL_REQUESTS).hasValue(0);
    }

    private static String put(Map<String, String> urls, String url) {
        String id = newId("sub");
        urls.put(id, url);
        return id;
    }
}
