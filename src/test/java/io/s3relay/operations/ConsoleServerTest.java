package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's server as docker compose runs it: browsers must log in to it, and it reaches a relay whose Jolokia
 * asks for credentials with the relay's own user, which the browser never sees. It passes on only its own pages'
 * Jolokia requests, and nothing of the browser's beyond the request itself. One relay for the class, started by the
 * test that reaches it; the others stand a fake relay in for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleServerTest extends RelayRouteTestSupport {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int managementPort = RelayFixture.freePort();
    /** The management server's users, read when the relay starts. */
    private static final Path users = JolokiaOperatorAccessTest.usersFile("user.hawtio = relay-side-secret,operator\n");

    /** Its Jolokia asks for credentials, as docker compose runs it. */
    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(managementPort),
                "camel.management.authentication-enabled", "true",
                "camel.management.basic-properties-file", users.toString());
    }

    @AfterAll
    static void removeUsers() throws IOException {
        Files.deleteIfExists(users);
    }

    @Test
    void forwardsJolokiaWithTheRelaysCredentialsOnlyToBrowsersThatLoggedIn() throws Exception {
        requireNode();
        context.start();
        String relayJolokia = "http://127.0.0.1:" + managementPort + "/observe/jolokia";
        assertThat(get(relayJolokia + "/version", null).statusCode()).as("the relay asks for credentials").isEqualTo(401);
        assertThat(get("http://127.0.0.1:" + managementPort + "/observe/health", null).statusCode())
                .as("health stays open to probes").isEqualTo(200);

        int port = RelayFixture.freePort();
        Process console = node(Map.of("S3RELAY_CONSOLE_PORT", String.valueOf(port),
                "S3RELAY_CONSOLE_USER", "operator", "S3RELAY_CONSOLE_PASSWORD", "console-side-secret",
                "S3RELAY_JOLOKIA_URL", relayJolokia,
                "S3RELAY_JOLOKIA_USER", "hawtio", "S3RELAY_JOLOKIA_PASSWORD", "relay-side-secret"), "server.mjs");
        try {
            assertThat(ConsoleNode.firstLine(console)).startsWith("s3-relay console on");
            String base = "http://127.0.0.1:" + port + "/hawtio";
            assertThat(get(base + "/jolokia/version", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/jolokia/version", "operator:wrong").statusCode()).isEqualTo(401);
            assertThat(get(base + "/jolokia/version", "hawtio:relay-side-secret").statusCode())
                    .as("the relay's credentials are not the console's").isEqualTo(401);

            HttpResponse<String> version = get(base + "/jolokia/version", "operator:console-side-secret");
            assertThat(version.statusCode()).isEqualTo(200);
            assertThat(version.body()).contains("\"agent\"").doesNotContain("relay-side-secret");
            assertThat(get(base + "/user", "operator:console-side-secret").body()).isEqualTo("\"operator\"");
        } finally {
            console.destroy();
            console.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void forwardsNeitherTheBrowsersOriginNorItsHostNorItsCookiesToTheRelay() throws Exception {
        requireNode();
        try (FakeRelay relay = new FakeRelay()) {
            int port = RelayFixture.freePort();
            Process console = node(Map.of("S3RELAY_CONSOLE_PORT", String.valueOf(port),
                    "S3RELAY_JOLOKIA_URL", relay.url()), "server.mjs");
            try {
                assertThat(ConsoleNode.firstLine(console)).startsWith("s3-relay console on");
                String own = "http://127.0.0.1:" + port;
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(own + "/hawtio/jolokia"))
                        .header("Content-Type", "text/json").header("Origin", own)
                        .header("Referer", own + "/hawtio/camel/routes").header("Cookie", "session=browser-side")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("{\"status\":200}");

                Map<String, List<String>> seen = relay.requests.take();
                assertThat(seen.get("X-Method")).containsExactly("POST");
                assertThat(seen.get("X-Body")).containsExactly("{\"type\":\"version\"}");
                assertThat(seen.get("Host")).containsExactly("127.0.0.1:" + relay.port());
                assertThat(seen.get("Content-type")).containsExactly("text/json");
                assertThat(seen).doesNotContainKeys("Origin", "Referer", "Cookie", "Authorization");
            } finally {
                console.destroy();
                console.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void refusesJolokiaRequestsOfAnotherSitesPage() throws Exception {
        requireNode();
        try (FakeRelay relay = new FakeRelay()) {
            int port = RelayFixture.freePort();
            Process console = node(Map.of("S3RELAY_CONSOLE_PORT", String.valueOf(port),
                    "S3RELAY_CONSOLE_USER", "operator", "S3RELAY_CONSOLE_PASSWORD", "console-side-secret",
                    "S3RELAY_JOLOKIA_URL", relay.url()), "server.mjs");
            try {
                assertThat(ConsoleNode.firstLine(console)).startsWith("s3-relay console on");
                String login = "Basic " + Base64.getEncoder().encodeToString(
                        "operator:console-side-secret".getBytes(StandardCharsets.UTF_8));
                // a page of another site, in a browser that remembers the operator's login to the console
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/hawtio/jolokia"))
                        .header("Content-Type", "text/plain").header("Origin", "http://attacker.example")
                        .header("Authorization", login)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(403);

                // a page whose DNS name was pointed at 127.0.0.1: same origin for the browser, but not this console
                String body = "{\"type\":\"version\"}";
                String rebound = raw(port, "POST /hawtio/jolokia HTTP/1.1\r\nHost: attacker.example:" + port
                        + "\r\nOrigin: http://attacker.example:" + port + "\r\nAuthorization: " + login
                        + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body);
                assertThat(rebound).startsWith("HTTP/1.1 403");
                assertThat(relay.requests).as("nothing reached the relay").isEmpty();
            } finally {
                console.destroy();
                console.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutCredentials() throws Exception {
        requireNode();
        Process console = node(Map.of("S3RELAY_CONSOLE_HOST", "0.0.0.0", "S3RELAY_CONSOLE_PORT", "0"), "server.mjs");
        String error = new String(console.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(console.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(console.exitValue()).isEqualTo(2);
        assertThat(error).contains("not loopback").contains("S3RELAY_CONSOLE_USER");
    }

    private static void requireNode() {
        ConsoleNode.require(ConsoleNode.built(),
                "the console is not built: run .ci/run, or (cd console && npm ci && npm run build)");
    }

    private static HttpResponse<String> get(String url, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(20));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Process node(Map<String, String> env, String... args) throws IOException {
        return ConsoleNode.start(env, ProcessBuilder.Redirect.PIPE, args);
    }

    /** A request written out by hand, Host header included (which java.net.http will not send as given). */
    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Stands in for the relay's Jolokia: answers every request with status 200 and keeps what it was sent. */
    private static final class FakeRelay implements AutoCloseable {

        final BlockingQueue<Map<String, List<String>>> requests = new LinkedBlockingQueue<>();
        private final HttpServer server;

        FakeRelay() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                Map<String, List<String>> seen = new TreeMap<>(exchange.getRequestHeaders());
                seen.put("X-Method", List.of(exchange.getRequestMethod()));
                seen.put("X-Body", List.of(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                requests.add(seen);
                byte[] answer = "{\"status\":200}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url() {
            return "http://127.0.0.1:" + port() + "/observe/jolokia";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
