package io.s3relay.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A relay as its own JVM, as {@code java -jar target/s3-relay.jar run} runs it, for tests that stop it from outside:
 * SIGTERM (what Kubernetes sends on scale-in) or SIGKILL (a crash). Its output goes to a log file.
 */
public final class RelayProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private RelayProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code io.s3relay.S3Relay run} with these settings (as -D options) on the test classpath; the management
     * server, JMX and the route-file reload are off unless the settings say otherwise.
     */
    public static RelayProcess start(String name, Map<String, String> settings, Path log, String... jvmOptions)
            throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("s3relay.local-s3.enabled", "false");
        all.put("camel.management.enabled", "false");
        all.put("camel.main.jmxEnabled", "false");
        all.put("camel.main.routes-reload-enabled", "false");
        all.putAll(settings);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        all.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("io.s3relay.S3Relay", "run"));
        Process process = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new RelayProcess(name, process, log);
    }

    /** Waits until the relay has started (Camel's "started in" line in its log). */
    public void awaitStarted(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(log) && Files.readString(log).contains(") started in "));
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the JVM's shutdown hooks run, and Camel Main stops the routes gracefully. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process ends at once, whatever it was doing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Waits for the process to end; false if it still runs after the timeout. */
    public boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
