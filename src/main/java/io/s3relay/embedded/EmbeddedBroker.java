package io.s3relay.embedded;

import java.io.File;
import java.net.URI;
import java.util.List;

import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.plugin.StatisticsBrokerPlugin;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.broker.region.policy.PolicyEntry;
import org.apache.activemq.broker.region.policy.PolicyMap;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;

/**
 * A persistent ActiveMQ Classic broker (KahaDB) inside the relay's JVM, for the default run and the tests, so
 * that nothing needs installing to try the relay. Production points {@code s3relay.broker.url} at a real broker.
 */
public class EmbeddedBroker implements AutoCloseable {

    static final long STORE_LIMIT = 4L * 1024 * 1024 * 1024;
    static final long TEMP_LIMIT = 1024L * 1024 * 1024;
    static final long SCHEDULER_LIMIT = 1024L * 1024 * 1024;

    private final BrokerService broker;
    private final TransportConnector connector;

    /**
     * The share of the message store that upstream's submissions may fill, in percent, as in
     * deploy/activemq/activemq.xml: past it upstream's sends wait, and the relay's own sends (statuses, jobs, dead
     * letters, committed with each submission it takes) still find room, so a full store drains instead of locking.
     */
    static final int SUBMISSIONS_STORE_SHARE = 70;

    /** A broker without upstream's queue: nothing is held back before the store is full. */
    public EmbeddedBroker(File dataDirectory, String bindUri) throws Exception {
        this(dataDirectory, bindUri, null);
    }

    /**
     * @param bindUri          e.g. {@code tcp://127.0.0.1:61616}; port 0 picks a free one
     * @param submissionsQueue upstream's queue, held back at {@link #SUBMISSIONS_STORE_SHARE} % of the store
     */
    public EmbeddedBroker(File dataDirectory, String bindUri, String submissionsQueue) throws Exception {
        broker = new BrokerService();
        broker.setBrokerName("s3relay-embedded");
        broker.setUseJmx(false);
        broker.setAdvisorySupport(false);
        // scheduled redelivery: a job to retry goes back to its queue with a delay (AMQ_SCHEDULED_DELAY)
        broker.setSchedulerSupport(true);
        broker.setSchedulerDirectoryFile(new File(dataDirectory, "scheduler"));
        // queue depths for s3relay_queue_depth (ActiveMQ.Statistics.Destination.<queue> requests)
        broker.setPlugins(new BrokerPlugin[] {new StatisticsBrokerPlugin()});
        broker.setUseShutdownHook(false);
        broker.setDataDirectoryFile(dataDirectory);
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(new File(dataDirectory, "kahadb"));
        broker.setPersistenceAdapter(kahaDb);
        broker.setPersistent(true);
        // a test machine's or a laptop's disk is small: ActiveMQ's defaults (a 100 GB store, a 50 GB scheduler
        // store) exceed its free space, and the broker then warns at every start and resets them to what is free
        broker.getSystemUsage().getStoreUsage().setLimit(STORE_LIMIT);
        broker.getSystemUsage().getTempUsage().setLimit(TEMP_LIMIT);
        // the scheduler holds only the retries waiting for their delay: small jobs, not PDFs
        broker.getSystemUsage().getJobSchedulerUsage().setLimit(SCHEDULER_LIMIT);
        if (submissionsQueue != null) {
            PolicyEntry submissions = new PolicyEntry();
            submissions.setQueue(submissionsQueue);
            submissions.setStoreUsageHighWaterMark(SUBMISSIONS_STORE_SHARE);
            PolicyMap policies = new PolicyMap();
            policies.setPolicyEntries(List.of(submissions));
            broker.setDestinationPolicy(policies);
        }
        connector = broker.addConnector(bindUri);
    }

    public EmbeddedBroker start() throws Exception {
        broker.start();
        broker.waitUntilStarted();
        return this;
    }

    /** The URL clients connect to, with the real port when 0 was asked for. */
    public String url() {
        try {
            URI uri = connector.getConnectUri();
            return "tcp://" + uri.getHost() + ":" + uri.getPort();
        } catch (Exception e) {
            throw new IllegalStateException("broker is not started", e);
        }
    }

    /** The address the broker listens on, as bound: {@code tcp://127.0.0.1:61616}, not a host name. */
    public String boundAddress() {
        java.net.InetSocketAddress bound;
        try {
            bound = connector.getServer().getSocketAddress();
        } catch (Exception e) {
            return url();
        }
        if (bound == null || bound.getAddress() == null) {
            return url();
        }
        String host = bound.getAddress().getHostAddress();
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    public BrokerService service() {
        return broker;
    }

    @Override
    public void close() throws Exception {
        broker.stop();
        broker.waitUntilStopped();
    }
}
