package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;

/**
 * The console's server as docker compose runs it: browsers must log in to it, and it reaches a relay whose Jolokia
 * asks for credentials with the relay's own user, which the browser never sees.
 */
class ConsoleServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void forwardsJolokiaWithTheRelaysCredentialsOnlyToBrowsersThatLoggedIn() throws Exception {
        requireNode();
        int managementPort = RelayFixture.freePort();
        Path users = Files.createTempFile("management-users", ".properties");
        Files.writeString(users, "user.hawtio = relay-side-secret,operator\n");
        try (RelayFixture relay = RelayFixture.start(Map.of("camel.management.enabled", "true",
                "camel.management.port", String.valueOf(managementPort),
                "camel.management.authentication-enabled", "true",
                "camel.management.basic-properties-file", users.toString()))) {
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
        } finally {
            Files.deleteIfExists(users);
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
}
