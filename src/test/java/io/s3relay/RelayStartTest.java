package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the relay as a separate process: a failed start calls System.exit, and only a process shows what it printed.
 * <p>
 * The relay's start as an operator sees it: its output and its exit code.
 */
class RelayStartTest {

    @TempDir
    Path dir;

    @Test
    void saysInOneLineThatTheBrokerPortIsInUseAndExitsWith3() throws Exception {
        try (ServerSocket occupied = occupy()) {
            int port = occupied.getLocalPort();
            Result result = start(List.of("-Ds3relay.embedded-broker.bind=tcp://127.0.0.1:" + port));

            assertThat(result.exit).isEqualTo(3);
            assertOneErrorLine(result, "port " + port + " is already in use: another broker? set s3relay.broker.url to use"
                    + " it, or s3relay.embedded-broker.bind to move the embedded one");
        }
    }

    @Test
    void saysInOneLineThatTheManagementPortIsInUseAndExitsWith3() throws Exception {
        try (ServerSocket occupied = occupy()) {
            int port = occupied.getLocalPort();
            Result result = start(List.of("-Dcamel.management.port=" + port));

            assertThat(result.exit).isEqualTo(3);
            assertOneErrorLine(result, "port " + port + " on 127.0.0.1 (the management server) is already in use: set"
                    + " camel.management.port to another port, or stop what listens there");
        }
    }

    @Test
    void saysInOneLineThatTheLocalS3PortIsInUseAndExitsWith3() throws Exception {
        try (ServerSocket occupied = occupy()) {
            int port = occupied.getLocalPort();
            Result result = start(List.of("-Ds3relay.local-s3.port=" + port));

            assertThat(result.exit).isEqualTo(3);
            assertOneErrorLine(result, "port " + port + " is already in use: set s3relay.local-s3.port to move the local"
                    + " S3 store (and the endpoint of the integrations that use it), or s3relay.local-s3.enabled=false to"
                    + " go without it");
        }
    }

    @Test
    void logsTheStackTraceOfAFailedStartAtDebug() throws Exception {
        try (ServerSocket occupied = occupy()) {
            Result result = start(List.of("-Ds3relay.embedded-broker.bind=tcp://127.0.0.1:" + occupied.getLocalPort(),
                    "-Ds3relay.log.level=DEBUG"));

            assertThat(result.exit).isEqualTo(3);
            assertThat(result.output).contains("Caused by: java.net.BindException").contains("\tat ");
        }
    }

    @Test
    void namesTheAddressesItBoundAndHowToSendAFirstSubmission() throws Exception {
        int management = RelayFixture.freePort();
        int broker = RelayFixture.freePort();
        int store = RelayFixture.freePort();
        Path log = dir.resolve("relay.log");
        Process relay = builder(List.of("-Dcamel.management.port=" + management,
                "-Ds3relay.embedded-broker.bind=tcp://127.0.0.1:" + broker, "-Ds3relay.local-s3.port=" + store))
                .redirectOutput(log.toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 90_000;
            while (!Files.readString(log).contains("Send a first submission with:") && relay.isAlive()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            String output = Files.readString(log);
            assertThat(output).contains("Management: http://127.0.0.1:" + management + "/observe/health")
                    .contains("broker: tcp://127.0.0.1:" + broker + " (embedded")
                    .contains("local S3 store: http://127.0.0.1:" + store)
                    .contains("Send a first submission with: java -Ds3relay.broker.url=tcp://127.0.0.1:" + broker
                            + " -Ds3relay.data.dir=" + dir.resolve("data") + " -jar target/s3-relay.jar send --sample")
                    .doesNotContain("0.0.0.0");
        } finally {
            relay.destroy();
            relay.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static ServerSocket occupy() throws Exception {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Free ports for every server the relay opens, the given settings on top. */
    private ProcessBuilder builder(List<String> settings) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Ds3relay.data.dir=" + dir.resolve("data"),
                "-Dcamel.management.port=" + RelayFixture.freePort(),
                "-Ds3relay.embedded-broker.bind=tcp://127.0.0.1:" + RelayFixture.freePort(),
                "-Ds3relay.local-s3.port=" + RelayFixture.freePort()));
        // later -D settings win
        command.addAll(settings);
        command.add("io.s3relay.S3Relay");
        return new ProcessBuilder(command).directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true);
    }

    private Result start(List<String> settings) throws Exception {
        Path log = dir.resolve("start.log");
        Process relay = builder(settings).redirectOutput(log.toFile()).start();
        if (!relay.waitFor(90, TimeUnit.SECONDS)) {
            relay.destroyForcibly();
            throw new AssertionError("the relay neither started nor failed within 90 s:\n" + Files.readString(log));
        }
        return new Result(relay.exitValue(), Files.readString(log));
    }

    private static void assertOneErrorLine(Result result, String message) {
        List<String> errors = result.output.lines().filter(line -> line.contains(" ERROR ")).toList();
        assertThat(errors).as(result.output).hasSize(1);
        assertThat(errors.get(0)).endsWith(" - " + message);
        assertThat(result.output.lines()).as(result.output)
                .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by:"));
    }

    private record Result(int exit, String output) {
    }
}
