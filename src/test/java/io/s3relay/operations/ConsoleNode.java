package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The console's Node.js programs (console/), as the console tests start them. */
final class ConsoleNode {

    static final Path DIR = Path.of("console").toAbsolutePath();

    private ConsoleNode() {
    }

    /** Whether {@code npm run build} has made the bundle that server.mjs serves. */
    static boolean built() {
        return Files.isRegularFile(DIR.resolve("dist/index.html"));
    }

    /**
     * Skips a test whose set-up is missing, saying why; where {@code S3RELAY_BROWSER_TESTS=required} (CI) the
     * test fails instead, so that it cannot pass by not running.
     */
    static void require(boolean ready, String why) {
        if ("required".equals(System.getenv("S3RELAY_BROWSER_TESTS"))) {
            assertThat(ready).as(why).isTrue();
        }
        assumeTrue(ready, why);
    }

    /** {@code node <args>} in console/, with these environment variables; its standard error as asked. */
    static Process start(Map<String, String> env, ProcessBuilder.Redirect errors, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectError(errors);
        builder.environment().putAll(env);
        return builder.start();
    }

    static String firstLine(Process process) throws IOException {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
