package io.s3relay.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.s3relay.support.RelayFixture;

/**
 * Starts the systems the defaults benchmark compares, each in a JVM of its own with the inherited environment
 * cleaned of whoever runs the benchmark's JVM options and relay settings: the relay as users launch it, pointed at
 * the servers by its environment, and the hand-written consumer. Keeps the processes it started, to end them if the
 * benchmark's JVM ends first.
 */
final class SystemLauncher {

    private final Path project;
    private final Path jar;
    private final UserLaunch launch;
    private final String brokerUrl;
    private final URI s3;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    SystemLauncher(Path project, Path jar, UserLaunch launch, String brokerUrl, URI s3) {
        this.project = project;
        this.jar = jar;
        this.launch = launch;
        this.brokerUrl = brokerUrl;
        this.s3 = s3;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Process::destroyForcibly)));
    }

    /**
     * {@code java -jar target/s3-relay.jar} in the project directory, pointed at the servers by its environment.
     *
     * @param name     the run's name: its queues' prefix, and its keys' prefix in the bucket
     * @param options  JVM options after the launch's own: none but for {@link DefaultsBenchmark#RELAY_B}
     * @param settings environment settings ({@code S3RELAY_NAME=value}) after the benchmark's own: none but for
     *                 {@link DefaultsBenchmark#RELAY_B}
     */
    SystemJvm relay(String name, Path data, String submissions, String actions, int integrations, boolean tenant, Path log,
                    List<String> options, List<String> settings) throws Exception {
        Path integrationsFile = data.resolve("integrations.yaml");
        String yaml = BenchRelays.integrations(integrations, s3, name);
        if (tenant) {
            // a second account with an integration of its own, writing under the run's prefix too
            yaml += BenchRelays.integration("int_other", "acc_other", s3, name + "/other");
        }
        Files.writeString(integrationsFile, yaml);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(launch.jvmOptions());
        command.addAll(options);
        // the one setting given as a system property: CAMEL_MANAGEMENT_PORT is listed among the placeholders but the
        // management server still binds camel.management.port from application.properties (8080)
        command.add("-Dcamel.management.port=" + RelayFixture.freePort());
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = userEnvironment(builder);
        env.putAll(launch.environment());
        env.put("S3RELAY_BROKER_URL", brokerUrl);
        env.put("S3RELAY_INTEGRATIONS_FILE", integrationsFile.toString());
        env.put("S3RELAY_DATA_DIR", data.toString());
        env.put("S3RELAY_LOCAL_S3_ENABLED", "false");
        env.put("S3RELAY_QUEUE_SUBMISSIONS", submissions);
        env.put("S3RELAY_QUEUE_UPLOADS", name + ".uploads");
        env.put("S3RELAY_QUEUE_ACTIONS", actions);
        env.put("S3RELAY_QUEUE_DEAD_LETTER", name + ".dlq");
        env.put("S3RELAY_QUEUE_EVENTS", name + ".events");
        // -Dbench.relay-settings=S3RELAY_X=a,S3RELAY_Y=b: to compare a setting with its default, never for the table
        List<String> all = new ArrayList<>(DefaultsBenchmark.words(System.getProperty("bench.relay-settings", "")));
        all.addAll(settings);
        for (String setting : all) {
            int equals = setting.indexOf('=');
            env.put(setting.substring(0, equals), setting.substring(equals + 1).replace("<broker>", brokerUrl));
        }
        return start(builder, log, false);
    }

    /** The hand-written consumer in a JVM of its own, with no JVM options and prefetch 10 in its broker URL. */
    SystemJvm handWritten(Path data, String submissions, String actions, int integrations, Path log) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                BenchProcess.class.getName(), "ceiling+pending", HandWrittenCeilings.withPrefetch(brokerUrl), s3.toString(),
                submissions, actions, String.valueOf(integrations), String.valueOf(HandWrittenCeilings.CONSUMERS), data.toString());
        userEnvironment(builder);
        return start(builder, log, true);
    }

    /** Stops a system's JVM (see {@link SystemJvm#stop}). */
    void stop(SystemJvm jvm) throws Exception {
        jvm.stop();
        running.remove(jvm.process());
    }

    /** The inherited environment without JVM options or relay settings of whoever runs the benchmark. */
    private static Map<String, String> userEnvironment(ProcessBuilder builder) {
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(variable -> UserLaunch.JVM_OPTION_VARIABLES.contains(variable)
                || variable.startsWith("S3RELAY_") || variable.startsWith("CAMEL_"));
        return env;
    }

    private SystemJvm start(ProcessBuilder builder, Path log, boolean stopsOnStdin) throws IOException {
        builder.directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        long launched = System.nanoTime();
        Process process = builder.start();
        running.add(process);
        return new SystemJvm(process, launched, stopsOnStdin, log);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
