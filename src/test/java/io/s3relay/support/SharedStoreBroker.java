package io.s3relay.support;

import java.io.File;

import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.plugin.StatisticsBrokerPlugin;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;

/**
 * One broker of a primary/standby pair, as its own JVM: {@code java -cp ... SharedStoreBroker <data-dir> <bind-uri>}.
 * The settings are those of deploy/activemq/activemq.xml: brokerName s3relay-broker, schedulerSupport with the
 * scheduler's store and KahaDB both under the data directory, the statistics plugin, one tcp connector. Two of them
 * on one data directory are a pair: the first takes the store's lock and serves; the second waits on the lock (its
 * start blocks) and serves once the first is gone. Prints "serving on" when it serves.
 */
public final class SharedStoreBroker {

    private SharedStoreBroker() {
    }

    public static void main(String[] args) throws Exception {
        File data = new File(args[0]);
        BrokerService broker = new BrokerService();
        broker.setBrokerName("s3relay-broker");
        broker.setDataDirectoryFile(data);
        broker.setSchedulerSupport(true);
        broker.setSchedulerDirectoryFile(new File(data, "scheduler"));
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(new File(data, "kahadb"));
        org.apache.activemq.store.SharedFileLocker locker = new org.apache.activemq.store.SharedFileLocker();
        locker.setLockAcquireSleepInterval(1000);
        kahaDb.setLocker(locker);
        broker.setPersistenceAdapter(kahaDb);
        broker.setPersistent(true);
        broker.setPlugins(new BrokerPlugin[] {new StatisticsBrokerPlugin()});
        broker.setUseJmx(false);
        broker.setUseShutdownHook(true);
        // a test machine's disk is small; the defaults (100 GB store) only produce warnings
        broker.getSystemUsage().getStoreUsage().setLimit(4L * 1024 * 1024 * 1024);
        broker.getSystemUsage().getTempUsage().setLimit(1024L * 1024 * 1024);
        broker.addConnector(args[1]);
        System.out.println("waiting for the store's lock in " + data);
        System.out.flush();
        broker.start();
        broker.waitUntilStarted();
        System.out.println("serving on " + args[1]);
        System.out.flush();
        broker.waitUntilStopped();
    }
}
