package io.s3relay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a user launches the relay, read from the project's own launch instructions so that a benchmark of "what users
 * run" cannot drift from them: the JVM options of the Dockerfile's {@code ENTRYPOINT} (the words between {@code java}
 * and {@code -jar}) and the {@code JAVA_TOOL_OPTIONS} / {@code JDK_JAVA_OPTIONS} it sets with {@code ENV}. Every line
 * of the README that starts the relay ({@code java ... -jar ...s3-relay.jar}, with no command or {@code run}) must
 * give the same options, but for where the class archive lies ({@code -XX:SharedArchiveFile=target/s3-relay.jsa}
 * beside the built jar, {@code /app/s3-relay.jsa} in the image), or the benchmark refuses to run until the two agree.
 * The benchmark runs the README's, in the project directory.
 */
final class UserLaunch {

    /** The environment variables through which a JVM takes options without its command line. */
    static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private static final Pattern README_LAUNCH = Pattern.compile(
            "\\bjava((?:[ \\t]+-(?!jar\\b)\\S+)*)[ \\t]+-jar[ \\t]+\\S*s3-relay\\.jar(?:[ \\t]+run)?[ \\t]*(?:$|`)", Pattern.MULTILINE);
    private static final Pattern ARCHIVE_OPTION = Pattern.compile("(-XX:SharedArchiveFile=)(?:.*/)?([^/]+)");
    private static final Pattern DOCKER_ENV = Pattern.compile("^ENV\\s+(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS)[=\\s]\\s*\"?([^\"]*)\"?\\s*$");

    private final List<String> jvmOptions;
    private final Map<String, String> environment;

    private UserLaunch(List<String> jvmOptions, Map<String, String> environment) {
        this.jvmOptions = jvmOptions;
        this.environment = environment;
    }

    /** Reads {@code Dockerfile} and {@code README.md} in the project directory. */
    static UserLaunch read(Path project) throws IOException {
        List<String> dockerOptions = null;
        Map<String, String> environment = new LinkedHashMap<>();
        for (String line : Files.readAllLines(project.resolve("Dockerfile"))) {
            String stripped = line.strip();
            if (stripped.startsWith("ENTRYPOINT")) {
                String[] words = new ObjectMapper().readValue(stripped.substring("ENTRYPOINT".length()).strip(), String[].class);
                int java = -1;
                int jar = -1;
                for (int i = 0; i < words.length; i++) {
                    if (java < 0 && (words[i].equals("java") || words[i].endsWith("/java"))) {
                        java = i;
                    } else if (java >= 0 && words[i].equals("-jar")) {
                        jar = i;
                        break;
                    }
                }
                if (java < 0 || jar < 0) {
                    throw new IllegalStateException("the Dockerfile's ENTRYPOINT is not `java [options] -jar ...`: " + stripped);
                }
                dockerOptions = List.of(words).subList(java + 1, jar);
            }
            Matcher env = DOCKER_ENV.matcher(stripped);
            if (env.matches()) {
                environment.put(env.group(1), env.group(2).strip());
            }
        }
        if (dockerOptions == null) {
            throw new IllegalStateException("the Dockerfile has no ENTRYPOINT to read the relay's JVM options from");
        }
        Set<List<String>> readmeOptions = new LinkedHashSet<>();
        Matcher launch = README_LAUNCH.matcher(Files.readString(project.resolve("README.md")));
        while (launch.find()) {
            readmeOptions.add(words(launch.group(1)));
        }
        if (readmeOptions.isEmpty()) {
            throw new IllegalStateException("README.md has no `java -jar ...s3-relay.jar` launch line");
        }
        for (List<String> options : readmeOptions) {
            if (!wherever(options).equals(wherever(dockerOptions))) {
                throw new IllegalStateException("README.md launches the relay with JVM options " + options
                        + ", the Dockerfile with " + dockerOptions + ": make them agree before benchmarking what users run");
            }
        }
        return new UserLaunch(readmeOptions.iterator().next(), environment);
    }

    /** The options between {@code java} and {@code -jar} of the README's launch (its archive under target/). */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** JVM option variables the Dockerfile sets; none today. */
    Map<String, String> environment() {
        return environment;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(jvmOptions);
        environment.forEach((name, value) -> all.add(name + "=" + value));
        return all.isEmpty() ? "no JVM options" : String.join(" ", all);
    }

    /** The options with the class archive named by its file alone. */
    private static List<String> wherever(List<String> options) {
        return options.stream().map(option -> ARCHIVE_OPTION.matcher(option).replaceFirst("$1$2")).toList();
    }

    private static List<String> words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? List.of() : List.of(stripped.split("\\s+"));
    }
}
