package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not on the test kit: it runs the command line in this JVM, and no relay route takes part.
 * <p>
 * The command line's exit codes, which scripts rely on (0 done, 1 the thing checked failed, 2 wrong usage, 3 a server
 * could not be reached), and its failures: one line that says what to do, a stack trace only with --verbose.
 */
class CommandLineTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private int noBroker;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        // a port nothing listens on, as when the relay is not running
        noBroker = RelayFixture.freePort();
        System.setProperty("s3relay.embedded-broker.bind", "tcp://127.0.0.1:" + noBroker);
        System.setProperty("s3relay.data.dir", dir.toString());
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        for (String name : List.of("s3relay.embedded-broker.bind", "s3relay.data.dir", "s3relay.broker.url",
                "s3relay.broker.username", "s3relay.broker.password")) {
            System.clearProperty(name);
        }
    }

    @Test
    void printsItsCommandsForHelp() throws Exception {
        assertThat(S3Relay.execute(new String[] {"--help"})).isZero();
        assertThat(out.toString()).contains("run", "send", "preview", "check-integration", "dlq list", "dlq replay")
                .contains("Exit codes: 0 done, 1 the checked thing failed, 2 wrong usage");
    }

    @Test
    void explainsEachCommandWithHelpAndExitCode0() {
        for (String command : List.of("run", "send", "preview", "check-integration", "dlq", "help")) {
            out.reset();
            assertThat(S3Relay.commandLine(new String[] {command, "--help"}, System.err)).as(command).isZero();
            assertThat(out.toString()).as(command).startsWith("Usage:").contains("Exit");
        }
        out.reset();
        assertThat(S3Relay.commandLine(new String[] {"dlq", "replay", "--help"}, System.err)).isZero();
        assertThat(out.toString()).contains("dlq replay --integration <id>");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void refusesAnUnknownCommandWithExitCode2() throws Exception {
        assertThat(S3Relay.execute(new String[] {"upload-everything"})).isEqualTo(2);
        assertThat(S3Relay.execute(new String[] {"send"})).isEqualTo(2);
        assertThat(S3Relay.execute(new String[] {"send", "--no-such-option"})).isEqualTo(2);
        assertThat(S3Relay.execute(new String[] {"check-integration"})).isEqualTo(2);
        assertThat(S3Relay.execute(new String[] {"dlq", "purge"})).isEqualTo(2);
    }

    @Test
    void sendBeforeTheRelayRunsSaysSoInOneLineWithExitCode3WithinSeconds() {
        long start = System.nanoTime();
        int exit = S3Relay.commandLine(new String[] {"send", "--sample"}, System.err);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(exit).isEqualTo(3);
        assertOneLine("cannot reach the broker at tcp://127.0.0.1:" + noBroker
                + ": start the relay first, or set s3relay.broker.url");
        assertThat(dir.resolve("samples")).as("no sample PDF left behind").doesNotExist();
    }

    @Test
    void dlqListAndReplayWithoutABrokerExitWithCode3() {
        assertThat(S3Relay.commandLine(new String[] {"dlq", "list"}, System.err)).isEqualTo(3);
        assertOneLine("cannot reach the broker at tcp://127.0.0.1:" + noBroker
                + ": start the relay first, or set s3relay.broker.url");
        err.reset();
        assertThat(S3Relay.commandLine(new String[] {"dlq", "replay", "--all"}, System.err)).isEqualTo(3);
        assertOneLine("cannot reach the broker at tcp://127.0.0.1:" + noBroker
                + ": start the relay first, or set s3relay.broker.url");
    }

    @Test
    void aFailoverUrlWithNoBrokerFailsFastInsteadOfRetryingForever() {
        System.setProperty("s3relay.broker.url", "failover:(tcp://127.0.0.1:" + noBroker + ")?randomize=false");
        long start = System.nanoTime();
        int exit = S3Relay.commandLine(new String[] {"dlq", "list"}, System.err);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(exit).isEqualTo(3);
        assertOneLine("cannot reach the broker at failover:(tcp://127.0.0.1:" + noBroker
                + ")?randomize=false: is that broker running? check s3relay.broker.url");
    }

    @Test
    void aBrokerUrlWithoutItsSchemeIsWrongUsage() {
        System.setProperty("s3relay.broker.url", "127.0.0.1:" + noBroker);
        assertThat(S3Relay.commandLine(new String[] {"send", "--sample"}, System.err)).isEqualTo(2);
        assertOneLine("127.0.0.1:" + noBroker + " is not a broker URL: set s3relay.broker.url to one such as"
                + " tcp://127.0.0.1:61616 or failover:(tcp://a:61616,tcp://b:61616)");
    }

    @Test
    void verboseAddsTheStackTraceButNeverTheBrokerPassword() {
        String secret = "pw-" + RelayFixture.newId("s");
        System.setProperty("s3relay.broker.url", "tcp://relay:" + secret + "@127.0.0.1:" + noBroker + "?jms.password=" + secret);
        System.setProperty("s3relay.broker.username", "relay");
        System.setProperty("s3relay.broker.password", secret);

        assertThat(S3Relay.commandLine(new String[] {"send", "--sample", "--verbose"}, System.err)).isEqualTo(3);

        assertThat(err.toString()).startsWith("cannot reach the broker at tcp://127.0.0.1:" + noBroker
                + "?jms.password=REDACTED: is that broker running? check s3relay.broker.url" + System.lineSeparator());
        assertThat(err.toString()).contains("\tat ").doesNotContain(secret);
        assertThat(out.toString()).doesNotContain(secret);
    }

    @Test
    void sendOfAMissingFileIsWrongUsage() {
        assertThat(S3Relay.commandLine(new String[] {"send", dir.resolve("nope.json").toString()}, System.err)).isEqualTo(2);
        assertOneLine("no such file: " + dir.resolve("nope.json") + ": give the path of a submission's JSON, or --sample"
                + " for a sample one");
    }

    @Test
    void previewOfAMissingMessageIsWrongUsage() {
        int exit = S3Relay.commandLine(new String[] {"preview", "--template", "{{ submission_id }}.pdf",
                "--message", dir.resolve("nope.json").toString()}, System.err);
        assertThat(exit).isEqualTo(2);
        assertOneLine("no such file: " + dir.resolve("nope.json") + ": give --message the path of a submission's JSON");
    }

    @Test
    void aRefusedTemplateExitsWithCode1() throws Exception {
        Path message = dir.resolve("message.json");
        Files.writeString(message, """
                {"submission": {"id": "sub_1", "account_id": "acc_1", "template_id": "tpl_1", "test": false,
                  "processed_at": "2018-05-07T10:00:00Z", "download_url": "https://example.com/a.pdf"}}""");
        int exit = S3Relay.commandLine(new String[] {"preview", "--template", "../{{ submission_id }}.pdf",
                "--message", message.toString()}, System.err);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("The upload would fail:");
        assertNoStackTrace();
    }

    private void assertOneLine(String expected) {
        assertThat(err.toString()).isEqualTo(expected + System.lineSeparator());
        assertNoStackTrace();
    }

    private void assertNoStackTrace() {
        for (String output : List.of(out.toString(), err.toString())) {
            assertThat(output.lines()).noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by:"));
        }
    }
}
