package io.s3relay.command;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.s3relay.settings.RelaySettings;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code archive-classes}: the relay's default run once, end to end, so that a JVM started with
 * {@code -XX:ArchiveClassesAtExit} records the classes a relay loads into a class archive. The project's launch (the
 * README's command, the Dockerfile) starts the relay with {@code -XX:SharedArchiveFile} on it: the JVM then maps
 * those classes instead of loading and verifying them from the jars, and the relay starts in about half the time,
 * which a relay that restarts into a backlog, or a pod added while the queue is long, drains at once.
 * <p>
 * It runs in a temporary folder, on free ports, with the embedded broker, the local S3 store and the sample
 * integration pointed at that store: the health and metrics endpoints are read, the sample submission is sent and
 * its object awaited, the relay is stopped and the folder removed. Nothing of a relay that may be running on the
 * same machine (its ports 61616, 9000 and 8080, its data folder) is touched. {@code mvn package} runs it.
 */
final class ClassArchiveCommand {

    static final String USAGE = """
            Usage: archive-classes
              Runs the relay's default configuration once in a temporary folder on free ports (embedded broker, local
              S3 store, the sample submission), then stops. Under java -XX:ArchiveClassesAtExit=<file> it leaves the
              class archive that the launch's -XX:SharedArchiveFile=<file> starts the relay with; mvn package makes
              target/s3-relay.jsa this way, the Dockerfile /app/s3-relay.jsa.
              It refuses to run while an environment variable sets one of the relay's settings (S3RELAY_BROKER_URL...),
              which would win over its own.
            Exit: 0 done, 1 the sample was not uploaded within 60 s, 2 such a variable is set.""";

    private static final Duration UPLOAD_WAIT = Duration.ofSeconds(60);

    private final PrintStream out;
    private final Supplier<Main> relay;

    /** @param relay makes the relay as {@code run} starts it */
    ClassArchiveCommand(PrintStream out, Supplier<Main> relay) {
        this.out = out;
        this.relay = relay;
    }

    int run(String[] args) throws Exception {
        if (args.length != 0) {
            System.err.println(USAGE);
            return ExplainedFailure.USAGE;
        }
        Settings defaults = Settings.load();
        List<String> overrides = defaults.environmentOverrides();
        if (!overrides.isEmpty()) {
            // they would win over this run's own settings: the sample would go to that broker, into that folder
            System.err.println("archive-classes runs the relay's defaults, but the environment sets "
                    + String.join(", ", overrides) + ": unset them for the build, or build with"
                    + " -Ds3relay.class-archive.skip=true");
            return ExplainedFailure.USAGE;
        }
        long started = System.nanoTime();
        // a build step: the relay's start-up and upload lines would fill the build's output
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("io.s3relay", Level.WARN);
        Path folder = Files.createTempDirectory("s3relay-archive-");
        List<String> settings = List.of("s3relay.data.dir", "s3relay.embedded-broker.bind", "s3relay.local-s3.port",
                "s3relay.integrations.file", "s3relay.broker.url");
        try {
            int brokerPort = freePort();
            int s3Port = freePort();
            int managementPort = freePort();
            RelaySettings.LocalS3 store = defaults.relay().getLocalS3();
            String bucket = RelaySettings.list(store.getBuckets()).get(0);
            Path integrations = folder.resolve("integrations.yaml");
            Files.writeString(integrations, sampleIntegration(store, bucket, s3Port));
            System.setProperty("s3relay.data.dir", folder.resolve("data").toString());
            System.setProperty("s3relay.embedded-broker.bind", "tcp://127.0.0.1:" + brokerPort);
            System.setProperty("s3relay.broker.url", "");
            System.setProperty("s3relay.local-s3.port", String.valueOf(s3Port));
            System.setProperty("s3relay.integrations.file", integrations.toString());
            Main relay = this.relay.get();
            relay.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
            relay.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/observe/health", "/observe/metrics")) {
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                new SendCommand(Settings.load()).run(new String[] {"--sample"});
                if (!uploaded(folder.resolve("data").resolve("s3").resolve(bucket))) {
                    System.err.println("archive-classes: the sample submission was not uploaded within "
                            + UPLOAD_WAIT.toSeconds() + " s (the relay's log above says why)");
                    return ExplainedFailure.FAILED;
                }
            } finally {
                relay.stop();
            }
        } finally {
            settings.forEach(System::clearProperty);
            delete(folder);
        }
        out.printf("archive-classes: the default run uploaded the sample in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return ExplainedFailure.DONE;
    }

    /**
     * The sample integration of config/integrations.yaml (the account of {@code send --sample}), writing into the
     * local store's first bucket with its credentials, on this run's port.
     */
    private static String sampleIntegration(RelaySettings.LocalS3 store, String bucket, int s3Port) {
        return """
                integrations:
                  - id: int_sample
                    account_id: acc_sample
                    bucket: %s
                    region: us-east-1
                    access_key_id: %s
                    secret_access_key: %s
                    endpoint: http://127.0.0.1:%d
                    path_style: true
                    submission_types: live
                    path_template: "{{ template_id }}/{{ submission_id }}.pdf"
                """.formatted(bucket, store.getAccessKey(), store.getSecretKey(), s3Port);
    }

    private static boolean uploaded(Path bucket) throws Exception {
        long deadline = System.nanoTime() + UPLOAD_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(bucket)) {
                try (Stream<Path> files = Files.walk(bucket)) {
                    if (files.anyMatch(file -> file.toString().endsWith(".pdf"))) {
                        return true;
                    }
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
