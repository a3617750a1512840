package io.s3relay.operations;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The Hawtio console of console/ (built from @hawtio/react), connected to a running relay, shows its routes with
 * their completed exchanges in a real browser, and shows no customer secret.
 *
 * <p>It needs Node.js, the built console ({@code npm ci && npm run build} in console/) and Chromium. Without them
 * the test is skipped, unless {@code S3RELAY_BROWSER_TESTS=required} (as in CI), where it fails instead.
 */
class HawtioConsoleTest extends RelayRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCREENSHOT = Path.of("target", "hawtio", "routes.png").toAbsolutePath();
    private static final int managementPort = RelayFixture.freePort();

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(managementPort));
    }

    /** Hawtio draws the routes from their MBeans: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    @Test
    void listsTheRelaysRoutesWithTheirCompletedExchangesInABrowser() throws Exception {
        requireBrowserSetup();
        context.start();
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_console", account, servers.serverA, bucket,
                "path_template: \"{{ submission_id }}.pdf\""));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(newId("sub"));
            servers.send(submission(ids.get(i), account, false, servers.pdf(randomPdf(2000))));
        }
        ids.forEach(id -> servers.awaitStatus(id, "int_console", "processed"));

        int consolePort = RelayFixture.freePort();
        Process console = node(Map.of("S3RELAY_CONSOLE_PORT", String.valueOf(consolePort),
                "S3RELAY_JOLOKIA_URL", "http://127.0.0.1:" + managementPort + "/observe/jolokia"),
                "server.mjs");
        try {
            awaitListening(console);
            Files.createDirectories(SCREENSHOT.getParent());
            Path pages = SCREENSHOT.resolveSibling("pages.txt");
            Process browser = node(Map.of(), "test/routes-in-browser.mjs", "http://127.0.0.1:" + consolePort + "/",
                    SCREENSHOT.toString(), pages.toString());
            String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(browser.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(browser.exitValue()).as("browser run: %s", output).isZero();

            JsonNode shown = JSON.readTree(output).path("routes");
            assertThat(shown.path("submissions").path("state").asText()).isEqualTo("Started");
            assertThat(shown.path("uploads").path("state").asText()).isEqualTo("Started");
            assertThat(shown.path("upload").path("state").asText()).isEqualTo("Started");
            // what the browser shows is what the Camel context counted: 3 submissions, 3 copies uploaded
            assertThat(shown.path("submissions").path("completed").asLong())
                    .isEqualTo(completed("submissions")).isEqualTo(3);
            assertThat(shown.path("upload").path("completed").asLong()).isEqualTo(completed("upload")).isEqualTo(3);
            assertThat(SCREENSHOT).isNotEmptyFile();

            String seen = Files.readString(pages);
            assertThat(seen).contains("put-object").contains("s3relay.uploads")
                    .doesNotContain(servers.serverA.secretKey()).doesNotContain(servers.serverB.secretKey());
        } finally {
            console.destroy();
            console.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long completed(String routeId) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = server.queryNames(new ObjectName(
                "org.apache.camel:context=*,type=routes,name=\"" + routeId + "\""), null).iterator().next();
        return (Long) server.getAttribute(name, "ExchangesCompleted");
    }

    private static void requireBrowserSetup() {
        boolean ready = ConsoleNode.built()
                && Files.isDirectory(ConsoleNode.DIR.resolve("node_modules/playwright-core"))
                && Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                && onPath("node");
        String why = "the console is not built or Node.js/Chromium are missing: "
                + "run .ci/run, or (cd console && npm ci && npm run build) with Debian's chromium installed";
        ConsoleNode.require(ready, why);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static Process node(Map<String, String> env, String... args) throws IOException {
        return ConsoleNode.start(env, ProcessBuilder.Redirect.INHERIT, args);
    }

    /** The server prints one line when it listens. */
    private static void awaitListening(Process console) throws IOException {
        assertThat(ConsoleNode.firstLine(console)).as("console server output").startsWith("s3-relay console on");
    }
}
