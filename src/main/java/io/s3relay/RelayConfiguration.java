package io.s3relay;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.auth.RelayAwsIdentity;
import io.s3relay.broker.ConnectionPerSessionFactory;
import io.s3relay.broker.WireFormatCache;
import io.s3relay.config.IntegrationRegistry;
import io.s3relay.config.IntegrationsFile;
import io.s3relay.config.S3Connection;
import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.monitoring.QueueDepths;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.failure.Backoff;
import io.s3relay.failure.DeadLetters;
import io.s3relay.failure.RetryScheduler;
import io.s3relay.health.IntegrationHealth;
import io.s3relay.settings.RelaySettings;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.status.StatusFactory;
import io.s3relay.status.UploadMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.s3relay.submission.SubmissionParser;
import io.s3relay.upload.Aws2S3UploadTargets;
import io.s3relay.upload.PdfSource;
import io.s3relay.upload.IntegrationGuard;
import io.s3relay.upload.S3ClientFactory;
import io.s3relay.upload.SourceHosts;
import io.s3relay.upload.UploadPlanner;
import io.s3relay.upload.UploadPreparer;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Registers the beans that the YAML routes name ({@code jms}, {@code retryConnectionFactory},
 * {@code submissionParser}, {@code integrations}, {@code uploadPlanner}, {@code uploadPreparer}, {@code statuses},
 * {@code retries}, {@code deadLetters}, {@code integrationHealth}), built from the
 * {@code s3relay.*} settings ({@link RelaySettings}), and starts the embedded broker and store of the default run.
 * <p>
 * Why one method in order, not {@code @BindToRegistry} methods: Camel calls those in an order it guesses (fewest
 * parameters first, then those whose parameter types no other method returns), not in the order of their
 * dependencies. The relay's beans are four deep (the settings, the S3 clients, the integrations registry, the
 * upload preparer), and the embedded broker must be listening before the JMS component is given its URL: beyond
 * two levels, the guess leaves the order to how the JVM happens to list the methods.
 */
public class RelayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RelayConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        boolean managementCredentials = Boolean.parseBoolean(prop(props, "camel.management.authentication-enabled",
                prop(props, "camel.management.authenticationEnabled", "false")));
        boolean management = Boolean.parseBoolean(prop(props, "camel.management.enabled", "false"));
        String managementHost = prop(props, "camel.management.host", "0.0.0.0");
        int managementPort = Integer.parseInt(prop(props, "camel.management.port", "8080"));
        ManagementAccess.check(management, managementHost, managementCredentials);
        if (management) {
            // Camel starts the management server later, and a port in use there only logs a warning while the relay
            // runs on without health or metrics: refuse to start instead, in one line
            StartupPorts.requireFree(managementHost, managementPort, "port " + managementPort + " on " + managementHost
                    + " (the management server) is already in use: set camel.management.port to another port, or stop"
                    + " what listens there");
        }
        // camel-platform-http-jolokia reads only Jolokia's own policyLocation setting (a system property), when the
        // management server starts after this: route start/stop only where Jolokia asks for credentials
        System.setProperty("jolokia.policyLocation", ManagementAccess.jolokiaPolicy(managementCredentials));
        RelaySettings settings = RelaySettings.bind(context, props::resolveProperty);
        Path dataDir = Path.of(settings.getData().getDir());
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        String brokerUrl = settings.getBroker().getUrl();
        String brokerShown = io.s3relay.broker.BrokerUrls.shown(brokerUrl) + " (s3relay.broker.url)";
        String sendUrl = brokerUrl;
        if (brokerUrl.isBlank()) {
            String bind = settings.getEmbeddedBroker().getBind();
            EmbeddedBroker broker = StartupPorts.bind(() -> new EmbeddedBroker(dataDir.resolve("broker").toFile(), bind,
                    settings.getQueue().getSubmissions()).start(),
                    "port " + StartupPorts.port(bind) + " is already in use: another broker? set s3relay.broker.url to use"
                    + " it, or s3relay.embedded-broker.bind to move the embedded one");
            closeOnStop(context, broker);
            brokerUrl = broker.url();
            sendUrl = broker.boundAddress();
            brokerShown = broker.boundAddress() + " (embedded, data in " + dataDir.resolve("broker") + ")";
            LOG.info("Embedded ActiveMQ broker listening on {} (data in {})", broker.boundAddress(), dataDir.resolve("broker"));
        }
        String storeShown = null;
        RelaySettings.LocalS3 localS3 = settings.getLocalS3();
        if (localS3.isEnabled()) {
            int port = localS3.getPort();
            String host = localS3.getHost();
            LocalS3Store store = StartupPorts.bind(() -> new LocalS3Store(dataDir.resolve("s3"), host, port,
                    localS3.getAccessKey(), localS3.getSecretKey()).start(),
                    "port " + port + " is already in use: set s3relay.local-s3.port to move the local S3 store (and the"
                    + " endpoint of the integrations that use it), or s3relay.local-s3.enabled=false to go without it");
            for (String bucket : RelaySettings.list(localS3.getBuckets())) {
                store.createBucket(bucket);
            }
            closeOnStop(context, store);
            storeShown = store.endpoint() + " (objects under " + dataDir.resolve("s3") + ")";
            LOG.info("Local S3-compatible store on {} (objects under {})", store.endpoint(), dataDir.resolve("s3"));
        }
        StartupSummary.logWhenStarted(context, management ? managementHost : null, managementPort, brokerShown,
                sendUrl, storeShown, settings.getData().getDir());

        RelaySettings.Retry retry = settings.getRetry();
        Backoff backoff = new Backoff(retry.getInitialDelay(), retry.getMultiplier(), retry.getMaxDelay(),
                retry.getMaxAttempts(), 0.15);
        context.getRegistry().bind("jms", jmsComponent(settings.getBroker(), brokerUrl, backoff));
        CachingConnectionFactory retries = retryConnectionFactory(settings.getBroker(), brokerUrl,
                settings.getSubmissions().getConcurrency() + settings.getUpload().getConcurrency());
        context.getRegistry().bind("retryConnectionFactory", retries);
        closeOnStop(context, retries::destroy);
        RelaySettings.Integration isolation = settings.getIntegration();
        IntegrationGuard guard = new IntegrationGuard(settings.getSubmissions().getConcurrency(),
                settings.getUpload().getConcurrency(), isolation.getCircuit().getFailures(),
                isolation.getCircuit().getOpenMillis(), isolation.getSlowUploadMillis());

        long partSize = settings.getUpload().getPartSize();
        checkMultipartSettings(settings.getUpload().getMultipartThreshold(), partSize, settings.getSource().getMaxBytes());
        PathTemplateRenderer renderer = new PathTemplateRenderer();
        // the principal that customers' roles trust; STS is asked only for integrations with a role_arn
        RelayAwsIdentity identity = RelayAwsIdentity.fromSettings(settings.getAws());
        closeOnStop(context, identity);
        S3ClientFactory clients = new S3ClientFactory(
                Duration.ofMillis(settings.getS3().getCallTimeout()), settings.getS3().getMaxConnections(), identity,
                scheduler(context, "s3relay-s3-timeouts", 2));
        closeOnStop(context, clients);
        IntegrationRegistry integrations = new IntegrationRegistry(
                Path.of(settings.getIntegrations().getFile()),
                new IntegrationsFile(), renderer, clients, new Aws2S3UploadTargets(context, partSize),
                settings.getIntegrations().getReplacedGrace(), scheduler(context, "s3relay-replaced-integrations", 1));
        // loaded now; re-read by the route integrations-reload (routes/integrations.camel.yaml)
        integrations.start();
        closeOnStop(context, integrations);

        SubmissionParser parser = new SubmissionParser(mapper);
        StatusFactory statuses = new StatusFactory(mapper, clock, integrations::get);
        context.getRegistry().bind("integrations", integrations);
        context.getRegistry().bind("submissionParser", parser);
        context.getRegistry().bind("uploadPlanner", new UploadPlanner(clock));
        PdfSource pdfSource = pdfSource(settings.getSource(), dataDir, clients);
        closeOnStop(context, pdfSource);
        context.getRegistry().bind("uploadPreparer", new UploadPreparer(integrations, renderer, pdfSource, guard,
                settings.getUpload().getInlineMaxBytes(), settings.getUpload().getMultipartThreshold()));
        context.getRegistry().bind("statuses", statuses);
        UploadMetrics metrics = new UploadMetrics(() -> context.getRegistry().findSingleByType(MeterRegistry.class),
                integrations::get);
        context.getRegistry().bind("uploadMetrics", metrics);
        context.getRegistry().bind("deadLetters", new DeadLetters(mapper, parser, statuses, metrics, clock));
        context.getRegistry().bind("integrationHealth", new IntegrationHealth(integrations::get,
                () -> integrations.all().values(), guard::isOpen, metrics,
                () -> context.getRegistry().findSingleByType(MeterRegistry.class),
                Duration.ofMillis(settings.getEvents().getFailingAfter()),
                dataDir.resolve("integration-health.json"), clock));
        context.getRegistry().bind("retries", new RetryScheduler(backoff, guard, clock));

        // read by the route queue-depths (routes/monitoring.camel.yaml); an interval of 0 reads none
        RelaySettings.Queue queues = settings.getQueue();
        context.getRegistry().bind("queueDepths", new QueueDepths(settings.getMetrics().getQueueDepthInterval() > 0
                ? List.of(queues.getSubmissions(), queues.getUploads(), queues.getActions(), queues.getDeadLetter(),
                        queues.getEvents()) : List.of(),
                () -> context.getRegistry().findSingleByType(MeterRegistry.class)));
    }

    private static ActiveMQConnectionFactory brokerConnectionFactory(RelaySettings.Broker broker, String brokerUrl) {
        // without OpenWire's id cache, which an upstream opening a producer per message fills for good
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(WireFormatCache.disabledIn(brokerUrl));
        if (!broker.getUsername().isBlank()) {
            factory.setUserName(broker.getUsername());
            factory.setPassword(broker.getPassword());
        }
        return factory;
    }

    private static JmsComponent jmsComponent(RelaySettings.Broker broker, String brokerUrl, Backoff backoff) {
        ActiveMQConnectionFactory factory = brokerConnectionFactory(broker, brokerUrl);
        factory.getPrefetchPolicy().setQueuePrefetch(broker.getPrefetch());
        // the error policy (errors.camel.yaml) retries through the broker's scheduler; the client redelivers only a
        // transaction that never committed (a relay or broker that stopped mid-way), with the same backoff
        RedeliveryPolicy redelivery = new RedeliveryPolicy();
        redelivery.setInitialRedeliveryDelay(backoff.initialDelayMillis());
        redelivery.setRedeliveryDelay(backoff.initialDelayMillis());
        redelivery.setUseExponentialBackOff(true);
        redelivery.setBackOffMultiplier(backoff.multiplier());
        redelivery.setMaximumRedeliveryDelay(backoff.maxDelayMillis());
        redelivery.setUseCollisionAvoidance(true);
        redelivery.setCollisionAvoidancePercent((short) 15);
        // the relay dead-letters by itself after s3relay.retry.max-attempts; this is only the broker's safety net
        redelivery.setMaximumRedeliveries(backoff.maxAttempts() + 5);
        factory.setRedeliveryPolicy(redelivery);
        // a message waiting for its redelivery must not hold a consumer thread
        factory.setNonBlockingRedelivery(true);
        JmsComponent jms = new JmsComponent();
        // each consumer on a broker connection of its own, so that the consumers' commits share the journal's disk
        // syncs instead of queueing on one connection, and producers kept per session (see ConnectionPerSessionFactory)
        jms.setConnectionFactory(broker.isConnectionPerSession()
                ? new ConnectionPerSessionFactory(factory) : factory);
        return jms;
    }

    /**
     * The connections the error policy sends its retries on (errors.camel.yaml), outside the transaction of the
     * message that failed: ActiveMQ hands a delayed message sent within a transaction to its scheduler only after
     * the transaction is in its store, so a broker that dies in between keeps the commit and loses the retry. Sent
     * first and on their own, a retry is in the scheduler before the failed message is acknowledged; a crash in
     * between at worst retries twice. A factory of its own: Spring's JMS template would send on the consumer's
     * transacted session of a factory it shares.
     */
    private static CachingConnectionFactory retryConnectionFactory(RelaySettings.Broker broker, String brokerUrl,
                                                                   int senders) {
        CachingConnectionFactory retries = new CachingConnectionFactory(brokerConnectionFactory(broker, brokerUrl));
        retries.setSessionCacheSize(senders);
        return retries;
    }

    private static PdfSource pdfSource(RelaySettings.Source source, Path dataDir, S3ClientFactory clients) {
        // empty refuses file: URLs; "/" is the explicit choice of any local file
        String root = source.getFileRoot();
        SourceHosts hosts = new SourceHosts(RelaySettings.list(source.getAllowedHosts()));
        S3Client platformStore = null;
        RelaySettings.SourceS3 store = source.getS3();
        if (!store.getAccessKey().isBlank()) {
            String endpoint = store.getEndpoint();
            platformStore = clients.createReader(new S3Connection(store.getRegion(), store.getAccessKey(),
                    store.getSecretKey(), endpoint.isBlank() ? null : java.net.URI.create(endpoint), store.isPathStyle()));
        }
        return new PdfSource(root.isBlank() ? null : Path.of(root), hosts, source.getMaxBytes(), platformStore,
                dataDir.resolve("tmp"), Duration.ofMillis(source.getReadIdleTimeout()),
                Duration.ofMillis(source.getReadTimeout()));
    }

    /** S3's limits on parts: 5 MiB to 5 GiB each (the last may be smaller), at most 10,000 per upload. */
    static void checkMultipartSettings(long threshold, long partSize, long maxBytes) {
        long mib = 1024 * 1024;
        if (partSize < 5 * mib || partSize > 5 * 1024 * mib) {
            throw new IllegalArgumentException("s3relay.upload.part-size must be between 5 MiB and 5 GiB (S3's limits), not "
                    + partSize + " bytes");
        }
        if (threshold < partSize) {
            throw new IllegalArgumentException("s3relay.upload.multipart-threshold (" + threshold
                    + ") must be at least s3relay.upload.part-size (" + partSize + ")");
        }
        if (maxBytes > partSize * 10_000) {
            throw new IllegalArgumentException("s3relay.upload.part-size (" + partSize + ") is too small for PDFs of "
                    + "s3relay.source.max-bytes (" + maxBytes + "): S3 takes at most 10,000 parts");
        }
    }

    /**
     * A scheduler of Camel's, its threads named and listed with the context's and shut down with it, that keeps what
     * the relay's own schedulers did: any number of tasks waiting, a cancelled one dropped at once, and a task
     * refused once it is shut down.
     */
    private ScheduledExecutorService scheduler(CamelContext context, String name, int threads) {
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(threads);
        profile.setMaxQueueSize(-1);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return context.getExecutorServiceManager().newScheduledThreadPool(this, name, profile);
    }

    private static void closeOnStop(CamelContext context, AutoCloseable closeable) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                closeable.close();
            }
        }, true, true);
    }

    static String prop(PropertiesComponent props, String name, String defaultValue) {
        return props.resolveProperty(name).map(String::strip).orElse(defaultValue);
    }

}
