package io.s3relay;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

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
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Registers the beans that the YAML routes name ({@code jms}, {@code submissionParser}, {@code integrations},
 * {@code uploadPlanner}, {@code uploadPreparer}, {@code statuses}, {@code retries}, {@code deadLetters},
 * {@code integrationHealth}), built from the
 * {@code s3relay.*} properties, and starts the embedded broker and store of the default run.
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
        Path dataDir = Path.of(prop(props, "s3relay.data.dir", "data"));
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        String brokerUrl = prop(props, "s3relay.broker.url", "");
        String brokerShown = io.s3relay.broker.BrokerUrls.shown(brokerUrl) + " (s3relay.broker.url)";
        String sendUrl = brokerUrl;
        if (brokerUrl.isBlank()) {
            String bind = prop(props, "s3relay.embedded-broker.bind", "tcp://127.0.0.1:61616");
            EmbeddedBroker broker = StartupPorts.bind(() -> new EmbeddedBroker(dataDir.resolve("broker").toFile(), bind).start(),
                    "port " + StartupPorts.port(bind) + " is already in use: another broker? set s3relay.broker.url to use"
                    + " it, or s3relay.embedded-broker.bind to move the embedded one");
            closeOnStop(context, broker);
            brokerUrl = broker.url();
            sendUrl = broker.boundAddress();
            brokerShown = broker.boundAddress() + " (embedded, data in " + dataDir.resolve("broker") + ")";
            LOG.info("Embedded ActiveMQ broker listening on {} (data in {})", broker.boundAddress(), dataDir.resolve("broker"));
        }
        String storeShown = null;
        if (Boolean.parseBoolean(prop(props, "s3relay.local-s3.enabled", "false"))) {
            int port = Integer.parseInt(prop(props, "s3relay.local-s3.port", "9000"));
            String host = prop(props, "s3relay.local-s3.host", "127.0.0.1");
            LocalS3Store store = StartupPorts.bind(() -> new LocalS3Store(dataDir.resolve("s3"), host, port,
                    prop(props, "s3relay.local-s3.access-key", "s3relay-local"),
                    prop(props, "s3relay.local-s3.secret-key", "s3relay-local-secret")).start(),
                    "port " + port + " is already in use: set s3relay.local-s3.port to move the local S3 store (and the"
                    + " endpoint of the integrations that use it), or s3relay.local-s3.enabled=false to go without it");
            for (String bucket : list(prop(props, "s3relay.local-s3.buckets", ""))) {
                store.createBucket(bucket);
            }
            closeOnStop(context, store);
            storeShown = store.endpoint() + " (objects under " + dataDir.resolve("s3") + ")";
            LOG.info("Local S3-compatible store on {} (objects under {})", store.endpoint(), dataDir.resolve("s3"));
        }
        StartupSummary.logWhenStarted(context, management ? managementHost : null, managementPort, brokerShown,
                sendUrl, storeShown, prop(props, "s3relay.data.dir", "data"));

        Backoff backoff = new Backoff(Long.parseLong(prop(props, "s3relay.retry.initial-delay", "1000")),
                Double.parseDouble(prop(props, "s3relay.retry.multiplier", "2")),
                Long.parseLong(prop(props, "s3relay.retry.max-delay", "300000")),
                Integer.parseInt(prop(props, "s3relay.retry.max-attempts", "20")), 0.15);
        context.getRegistry().bind("jms", jmsComponent(props, brokerUrl, backoff));
        IntegrationGuard guard = new IntegrationGuard(
                Integer.parseInt(prop(props, "s3relay.integration.max-in-flight", "4")),
                Integer.parseInt(prop(props, "s3relay.integration.circuit.failures", "5")),
                Long.parseLong(prop(props, "s3relay.integration.circuit.open-millis", "30000")),
                Long.parseLong(prop(props, "s3relay.integration.busy-retry-millis", "1000")),
                Long.parseLong(prop(props, "s3relay.integration.busy-wait-millis", "0")),
                Long.parseLong(prop(props, "s3relay.integration.slow-upload-millis", "5000")));

        long partSize = Long.parseLong(prop(props, "s3relay.upload.part-size", "16777216"));
        checkMultipartSettings(Long.parseLong(prop(props, "s3relay.upload.multipart-threshold", "67108864")),
                partSize,
                Long.parseLong(prop(props, "s3relay.source.max-bytes", String.valueOf(5L * 1024 * 1024 * 1024))));
        PathTemplateRenderer renderer = new PathTemplateRenderer();
        // the principal that customers' roles trust; STS is asked only for integrations with a role_arn
        RelayAwsIdentity identity = RelayAwsIdentity.fromSettings((name, defaultValue) -> prop(props, name, defaultValue));
        closeOnStop(context, identity);
        S3ClientFactory clients = new S3ClientFactory(
                Duration.ofMillis(Long.parseLong(prop(props, "s3relay.s3.call-timeout", "120000"))),
                Integer.parseInt(prop(props, "s3relay.s3.max-connections", "50")), identity);
        closeOnStop(context, clients);
        IntegrationRegistry integrations = new IntegrationRegistry(
                Path.of(prop(props, "s3relay.integrations.file", "config/integrations.yaml")),
                new IntegrationsFile(), renderer, clients, new Aws2S3UploadTargets(context, partSize),
                Long.parseLong(prop(props, "s3relay.integrations.replaced-grace", "300000")));
        integrations.start(Long.parseLong(prop(props, "s3relay.integrations.reload-interval", "2000")));
        closeOnStop(context, integrations);

        SubmissionParser parser = new SubmissionParser(mapper);
        StatusFactory statuses = new StatusFactory(mapper, clock, integrations::get);
        context.getRegistry().bind("integrations", integrations);
        context.getRegistry().bind("submissionParser", parser);
        context.getRegistry().bind("uploadPlanner", new UploadPlanner(clock));
        PdfSource pdfSource = pdfSource(props, dataDir, clients);
        closeOnStop(context, pdfSource);
        context.getRegistry().bind("uploadPreparer", new UploadPreparer(integrations, renderer, pdfSource, guard,
                Long.parseLong(prop(props, "s3relay.upload.inline-max-bytes", "16777216"))));
        context.getRegistry().bind("statuses", statuses);
        UploadMetrics metrics = new UploadMetrics(() -> context.getRegistry().findSingleByType(MeterRegistry.class),
                integrations::get);
        context.getRegistry().bind("uploadMetrics", metrics);
        context.getRegistry().bind("deadLetters", new DeadLetters(mapper, parser, statuses, metrics, clock));
        context.getRegistry().bind("integrationHealth", new IntegrationHealth(integrations::get,
                () -> integrations.all().values(), guard::isOpen, metrics,
                () -> context.getRegistry().findSingleByType(MeterRegistry.class),
                Duration.ofMillis(Long.parseLong(prop(props, "s3relay.events.failing-after", "86400000"))),
                dataDir.resolve("integration-health.json"), clock));
        context.getRegistry().bind("retries", new RetryScheduler(backoff, guard, clock));

        long depthInterval = Long.parseLong(prop(props, "s3relay.metrics.queue-depth-interval", "15000"));
        if (depthInterval > 0) {
            QueueDepths depths = new QueueDepths(brokerConnectionFactory(props, brokerUrl),
                    List.of(prop(props, "s3relay.queue.submissions", "s3relay.submissions"),
                            prop(props, "s3relay.queue.uploads", "s3relay.uploads"),
                            prop(props, "s3relay.queue.actions", "s3relay.actions"),
                            prop(props, "s3relay.queue.dead-letter", "s3relay.dlq"),
                            prop(props, "s3relay.queue.events", "s3relay.events")),
                    () -> context.getRegistry().findSingleByType(MeterRegistry.class)).start(depthInterval);
            closeOnStop(context, depths);
        }
    }

    private static ActiveMQConnectionFactory brokerConnectionFactory(PropertiesComponent props, String brokerUrl) {
        // without OpenWire's id cache, which an upstream opening a producer per message fills for good
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(WireFormatCache.disabledIn(brokerUrl));
        String user = prop(props, "s3relay.broker.username", "");
        if (!user.isBlank()) {
            factory.setUserName(user);
            factory.setPassword(prop(props, "s3relay.broker.password", ""));
        }
        return factory;
    }

    private static JmsComponent jmsComponent(PropertiesComponent props, String brokerUrl, Backoff backoff) {
        ActiveMQConnectionFactory factory = brokerConnectionFactory(props, brokerUrl);
        factory.getPrefetchPolicy().setQueuePrefetch(Integer.parseInt(prop(props, "s3relay.broker.prefetch", "10")));
        // rollbacks (s3relay.retry.broker-scheduler=false, or a broker that failed mid-transaction) are redelivered
        // by the client with the same backoff; Camel itself never redelivers (see errors.camel.yaml)
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
        jms.setConnectionFactory(Boolean.parseBoolean(prop(props, "s3relay.broker.connection-per-session", "true"))
                ? new ConnectionPerSessionFactory(factory) : factory);
        return jms;
    }

    private static PdfSource pdfSource(PropertiesComponent props, Path dataDir, S3ClientFactory clients) {
        // empty refuses file: URLs; "/" is the explicit choice of any local file
        String root = prop(props, "s3relay.source.file-root", "");
        SourceHosts hosts = new SourceHosts(list(prop(props, "s3relay.source.allowed-hosts", "")));
        S3Client platformStore = null;
        String bucketKey = prop(props, "s3relay.source.s3.access-key", "");
        if (!bucketKey.isBlank()) {
            String endpoint = prop(props, "s3relay.source.s3.endpoint", "");
            platformStore = clients.createReader(new S3Connection(prop(props, "s3relay.source.s3.region", "us-east-1"),
                    bucketKey, prop(props, "s3relay.source.s3.secret-key", ""),
                    endpoint.isBlank() ? null : java.net.URI.create(endpoint),
                    Boolean.parseBoolean(prop(props, "s3relay.source.s3.path-style", "false"))));
        }
        return new PdfSource(root.isBlank() ? null : Path.of(root), hosts,
                Long.parseLong(prop(props, "s3relay.source.max-bytes", String.valueOf(5L * 1024 * 1024 * 1024))),
                platformStore, dataDir.resolve("tmp"),
                Duration.ofMillis(Long.parseLong(prop(props, "s3relay.source.read-idle-timeout", "30000"))),
                Duration.ofMillis(Long.parseLong(prop(props, "s3relay.source.read-timeout", "600000"))));
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

    static java.util.List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

}
