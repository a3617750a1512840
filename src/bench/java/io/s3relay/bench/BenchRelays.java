package io.s3relay.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks that run relays share: their integrations, waiting for a relay process to be up, and removing
 * their working directory.
 */
final class BenchRelays {

    private BenchRelays() {
    }

    /** A submission message of {@code account} whose PDF is the file. */
    static String submission(String id, String account, Path pdfFile) {
        return """
                {"submission": {"id": "%s", "account_id": "%s", "template_id": "tpl_bench", "test": false,
                  "processed_at": "2026-01-01T00:00:00Z", "download_url": "%s"}}""".formatted(id, account, pdfFile.toUri());
    }

    /** An integrations file's text: {@code count} integrations of one account on one S3 server, keys under a prefix. */
    static String integrations(int count, java.net.URI endpoint, String keyPrefix) {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (int i = 0; i < count; i++) {
            yaml.append(integration("int_" + i, "acc_bench", endpoint, keyPrefix + "/" + i));
        }
        return yaml.toString();
    }

    /** One integration (a YAML list item) into the bucket {@code bench} of the benchmark's S3 server, keys under a prefix. */
    static String integration(String id, String account, java.net.URI endpoint, String keyPrefix) {
        return """
                  - id: %s
                    account_id: %s
                    bucket: bench
                    region: us-east-1
                    access_key_id: bench
                    secret_access_key: bench-secret
                    endpoint: %s
                    path_style: true
                    path_template: "%s/{{ submission_id }}.pdf"
                """.formatted(id, account, endpoint, keyPrefix);
    }

    /** Waits until a relay process answers {@code /observe/health}; fails if it exits or takes over 90 s. */
    static void awaitHealthy(HttpClient http, int managementPort, Process relay, String name, Path log)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!relay.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not start; see " + log);
            }
            Thread.sleep(200);
        }
    }

    /** Deletes a directory and everything under it (a benchmark's objects can fill the disk otherwise). */
    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
