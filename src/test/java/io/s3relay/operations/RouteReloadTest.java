package io.s3relay.operations;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.s3relay.support.RelayRouteTestSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Operators edit the route files of a running relay: an edit takes effect without a restart and without losing
 * or repeating a message in flight; an edit that does not parse is refused and the running routes stay. One relay
 * for the class, loading and watching a copy of the route files that the tests edit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteReloadTest extends RelayRouteTestSupport {

    static final Path routes = copyOfTheRoutes();
    static StringWriter logs = new StringWriter();
    static WriterAppender capture;

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml",
                "camel.main.routes-reload-directory", routes.toString());
    }

    private static Path copyOfTheRoutes() {
        try {
            Path copy = Files.createTempDirectory("s3relay-routes");
            try (var files = Files.list(Path.of("routes"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From before the relay is made: the kit makes it after @BeforeAll, in the first test's set-up. */
    @BeforeAll
    static void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        capture = WriterAppender.newBuilder().setName("reload-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        context.getRootLogger().addAppender(capture);
    }

    @AfterAll
    static void stopCapturingLogs() {
        ((LoggerContext) LogManager.getContext(false)).getRootLogger().removeAppender(capture);
        capture.stop();
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void appliesAnEditWhileMessagesAreInFlightAndProcessesEachOnce() throws Exception {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_reload", account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String pdf = servers.pdf(randomPdf(5_000));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add(newId("sub"));
        }

        for (int i = 0; i < ids.size(); i++) {
            servers.send(submission(ids.get(i), account, false, pdf));
            if (i == 50) {
                Path uploads = routes.resolve("uploads.camel.yaml");
                Files.writeString(uploads, Files.readString(uploads).replace("state=processed\"", "state=processed edited-by-operator\""));
            }
        }

        await().atMost(Duration.ofSeconds(90)).until(() -> ids.stream().allMatch(id ->
                servers.statusesOf(id).stream().anyMatch(s -> s.path("state").asText().equals("processed"))));
        // the edit is in force once reloaded: the relay may have drained the 150 before that, so a few more follow
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.toString().contains("Routes reloaded"));
        for (int i = 0; i < 5; i++) {
            String id = newId("sub");
            servers.send(submission(id, account, false, pdf));
            servers.awaitStatus(id, "int_reload", "processed");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.toString().contains("edited-by-operator"));
        long duplicates = ids.stream().mapToLong(id -> servers.statusesOf(id).stream()
                .filter(s -> s.path("state").asText().equals("processed")).count() - 1).sum();
        long objects = ids.stream().filter(id -> servers.serverA.objects().read(bucket, id + ".pdf") != null).count();
        System.out.printf("route reload: %d submissions in flight across an edit of uploads.camel.yaml: %d objects, %d duplicate processed statuses%n",
                ids.size(), objects, duplicates);
        assertThat(objects).isEqualTo(ids.size());
        assertThat(duplicates).isZero();
        assertThat(logs.toString()).contains("Routes reloaded");
    }

    @Test
    void refusesAnEditThatDoesNotParseAndKeepsTheRunningRoutes() throws Exception {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(integration("int_broken_edit", account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        Path submissions = routes.resolve("submissions.camel.yaml");
        String good = Files.readString(submissions);
        try {
            Files.writeString(submissions, good + "\n- route:\n    id: half-written\n    from: [unclosed\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.toString().contains("Error reloading routes from file"));
            assertThat(logs.toString()).containsPattern("submissions\\.camel\\.yaml, line \\d+, column \\d+");
            String id = newId("sub");
            servers.send(submission(id, account, false, servers.pdf(randomPdf(500))));
            servers.awaitStatus(id, "int_broken_edit", "processed");
        } finally {
            // the restored file is reloaded too: wait for it, or the relay may stop in the middle of that reload
            // (Camel's stop summary then meets a route that is gone for a moment)
            int reloads = occurrences(logs.toString(), "Routes reloaded");
            Files.writeString(submissions, good);
            await().atMost(Duration.ofSeconds(30)).until(() -> occurrences(logs.toString(), "Routes reloaded") > reloads);
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
