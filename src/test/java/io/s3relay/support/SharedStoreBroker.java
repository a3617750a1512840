package io.s3relay.support;

import java.nio.file.Path;

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
