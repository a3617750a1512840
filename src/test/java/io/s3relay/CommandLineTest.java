package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

/** The command line's exit codes, which scripts rely on: 0 done, 1 the thing checked failed, 2 wrong usage. */
class CommandLineTest {

    @Test
    void printsItsCommandsForHelp() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            assertThat(S3Relay.execute(new String[] {"--help"})).isZero();
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString()).contains("run", "send", "preview", "check-integration", "dlq list", "dlq replay");
    }

    @Test
    void refusesAnUnknownCommandWithExitCode2() throws Exception {
        PrintStream original = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            assertThat(S3Relay.execute(new String[] {"upload-everything"})).isEqualTo(2);
            assertThat(S3Relay.execute(new String[] {"send"})).isEqualTo(2);
            assertThat(S3Relay.execute(new String[] {"check-integration"})).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
    }
}
