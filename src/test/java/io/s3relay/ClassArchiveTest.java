package io.s3relay;

import io.s3relay.command.ExplainedFailure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs JVMs of its own: a class archive is written when a JVM exits and read when one starts. The JVM archives
 * classes from jars only, so the relay's classes are jarred first, as {@code mvn package} does.
 * <p>
 * What {@code mvn package} and the Dockerfile do to make the relay start from a class archive, and what the launch
 * then gets.
 */
class ClassArchiveTest {

    private static final Pattern SAMPLE_PDF = Pattern.compile("file://(/\\S+?\\.pdf)");

    @TempDir
    Path dir;

    @Test
    void aDefaultRunUnderArchiveClassesAtExitLeavesAnArchiveTheRelayStartsFrom() throws Exception {
        String classPath = classPathOfJars();
        Path archive = dir.resolve("relay.jsa");

        Result training = java(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-cp", classPath, S3Relay.class.getName(), "archive-classes"));

        assertThat(training.exit()).as(training.output()).isZero();
        assertThat(training.output()).contains("archive-classes: the default run uploaded the sample");
        assertThat(archive).isRegularFile();
        // its run was in a temporary folder, removed after it: nothing of it is left
        Matcher pdf = SAMPLE_PDF.matcher(training.output());
        assertThat(pdf.find()).as(training.output()).isTrue();
        Path runFolder = Path.of(URI.create("file://" + pdf.group(1))).getParent().getParent().getParent();
        assertThat(runFolder.getFileName().toString()).startsWith("s3relay-archive-");
        assertThat(runFolder).doesNotExist();

        Result launch = java(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info", "-cp", classPath,
                S3Relay.class.getName(), "help"));

        assertThat(launch.exit()).as(launch.output()).isZero();
        // the relay's, Camel's and the logging's classes come from the archive, not from their jars
        for (String name : List.of(S3Relay.class.getName(), "org.apache.camel.main.Main",
                "org.apache.logging.log4j.core.LoggerContext")) {
            assertThat(launch.output()).as(name).contains(name + " source: shared objects file (top)");
        }
        long fromArchive = launch.output().lines().filter(line -> line.endsWith("source: shared objects file (top)")).count();
        long fromJars = launch.output().lines().filter(line -> line.contains(" source: file:")).count();
        assertThat(fromJars).as("classes read from the jars, against %d from the archive", fromArchive)
                .isLessThan(fromArchive / 100);
    }

    @Test
    void refusesToRunWhenTheEnvironmentSetsARelaySetting() throws Exception {
        // the environment wins over the run's own settings: the sample would go to the broker named there
        Result refused = java(List.of("-cp", System.getProperty("java.class.path"), S3Relay.class.getName(), "archive-classes"),
                Map.of("S3RELAY_BROKER_URL", "tcp://127.0.0.1:1", "S3RELAY_MOTO_TESTS", "required"));

        assertThat(refused.exit()).as(refused.output()).isEqualTo(ExplainedFailure.USAGE);
        assertThat(refused.output()).contains("the environment sets S3RELAY_BROKER_URL: unset them")
                .contains("-Ds3relay.class-archive.skip=true").doesNotContain("S3RELAY_MOTO_TESTS");
    }

    @Test
    void archiveClassesTakesNoArguments() throws Exception {
        assertThat(S3Relay.execute(new String[] {"archive-classes", "now"})).isEqualTo(ExplainedFailure.USAGE);
    }

    /** The test's class path with the relay's classes and resources in a jar, the way the packaged relay has them. */
    private String classPathOfJars() throws IOException {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        Path jar = dir.resolve("s3-relay.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        List<String> path = new ArrayList<>();
        path.add(jar.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                path.add(entry);
            }
        }
        return String.join(File.pathSeparator, path);
    }

    private record Result(int exit, String output) {
    }

    private Result java(List<String> arguments) throws Exception {
        return java(arguments, Map.of());
    }

    private Result java(List<String> arguments, Map<String, String> environment) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        Path output = Files.createTempFile(dir, "java-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try (OutputStream ignored = process.getOutputStream()) {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished within 120 s").isTrue();
        } finally {
            process.destroyForcibly();
        }
        try (Stream<String> lines = Files.lines(output, StandardCharsets.UTF_8)) {
            return new Result(process.exitValue(), lines.collect(Collectors.joining("\n")));
        }
    }
}
