package io.s3relay.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.activemq.broker.BrokerService;

/**
 * One broker of a primary/standby pair, as its own JVM:
 * {@code java -cp ... SharedStoreBroker <data-dir> <bind-uri> [--crash-after-scheduled-commit]}.
 * It runs deploy/activemq/activemq.xml itself (see {@link ShippedBroker}): brokerName s3relay-broker,
 * schedulerSupport with the scheduler's store and KahaDB both under the data directory, the statistics plugin, the
 * shared file locker. Two of them on one data directory are a pair: the first takes the store's lock and serves;
 * the second waits on the lock (its start blocks) and serves once the first is gone. Prints "serving on" when it
 * serves. With {@code --crash-after-scheduled-commit} it kills itself as {@link CrashAfterScheduledCommit} says.
 */
public final class SharedStoreBroker {

    private SharedStoreBroker() {
    }

    /** Starts one in a JVM of its own, its output in {@code log}; options as {@link #main} takes them. */
    public static Process start(Path store, int port, Path log, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), SharedStoreBroker.class.getName(),
                store.toString(), "tcp://127.0.0.1:" + port));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Waits until the broker writing {@code log} serves (holds the store's lock and listens). */
    public static void awaitServing(Path log, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(log) && Files.readString(log).contains("serving on"));
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        boolean crash = args.length > 2 && args[2].equals("--crash-after-scheduled-commit");
        BrokerService broker = crash ? ShippedBroker.create(data, args[1], CrashAfterScheduledCommit.class)
                : ShippedBroker.create(data, args[1]);
        System.out.println("waiting for the store's lock in " + data);
        System.out.flush();
        broker.start();
        broker.waitUntilStarted();
        System.out.println("serving on " + args[1]);
        System.out.flush();
        broker.waitUntilStopped();
    }
}
