package io.s3relay.settings;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.util.StringHelper;

/**
 * The {@code s3relay.*} settings that the relay and its commands read, bound by Camel's property binding: the group
 * {@code integration.circuit} and the property {@code openMillis} are {@code s3relay.integration.circuit.open-millis}.
 * Every one of them, with its default, is declared in application.properties and nowhere else; one that is not set
 * is an error naming it. The settings only the routes read ({@code {{s3relay...}}} placeholders) are not here.
 */
public class RelaySettings {

    public static final String PREFIX = "s3relay.";

    private final Data data = new Data();
    private final Broker broker = new Broker();
    private final EmbeddedBroker embeddedBroker = new EmbeddedBroker();
    private final Queue queue = new Queue();
    private final Submissions submissions = new Submissions();
    private final Upload upload = new Upload();
    private final Integrations integrations = new Integrations();
    private final Retry retry = new Retry();
    private final Integration integration = new Integration();
    private final Events events = new Events();
    private final S3 s3 = new S3();
    private final Aws aws = new Aws();
    private final Source source = new Source();
    private final LocalS3 localS3 = new LocalS3();
    private final Metrics metrics = new Metrics();
    private final Cli cli = new Cli();

    /**
     * The settings, each looked up by its full name ({@code s3relay.broker.url}) and bound with Camel's type
     * conversion.
     *
     * @throws IllegalArgumentException naming the setting that is not set or whose value does not fit
     */
    public static RelaySettings bind(CamelContext context, Function<String, Optional<String>> lookup) {
        RelaySettings settings = new RelaySettings();
        for (String key : keys()) {
            String value = lookup.apply(key).map(String::strip).orElseThrow(() -> new IllegalArgumentException(
                    key + " is not set: give it a value (see application.properties)"));
            // Camel turns the last part's dashes to camel case, not a group's (embedded-broker, local-s3)
            String name = Arrays.stream(key.substring(PREFIX.length()).split("\\."))
                    .map(StringHelper::dashToCamelCase).collect(Collectors.joining("."));
            try {
                PropertyBindingSupport.build().withCamelContext(context).withTarget(settings).withIgnoreCase(true)
                        .withMandatory(true).withRemoveParameters(false).withProperties(Map.of(name, value)).bind();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(key + " = '" + value + "' is not a valid " + type(name) + " value");
            }
        }
        return settings;
    }

    /** The full names of the settings this model holds, such as {@code s3relay.integration.circuit.open-millis}. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        collect(RelaySettings.class, PREFIX, keys);
        return keys;
    }

    private static void collect(Class<?> type, String prefix, List<String> keys) {
        for (PropertyDescriptor property : properties(type)) {
            String key = prefix + StringHelper.camelCaseToDash(property.getName());
            if (property.getWriteMethod() != null) {
                keys.add(key);
            } else if (property.getReadMethod() != null && property.getPropertyType().getEnclosingClass() == RelaySettings.class) {
                collect(property.getPropertyType(), key + ".", keys);
            }
        }
    }

    private static String type(String name) {
        Class<?> type = RelaySettings.class;
        String[] path = name.split("\\.");
        for (String part : path) {
            type = Arrays.stream(properties(type)).filter(p -> p.getName().equalsIgnoreCase(part))
                    .map(PropertyDescriptor::getPropertyType).findFirst().orElse(String.class);
        }
        return type.getSimpleName();
    }

    private static PropertyDescriptor[] properties(Class<?> type) {
        try {
            return Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors();
        } catch (IntrospectionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A comma-separated setting's entries, blank ones left out. */
    public static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public Data getData() { return data; }
    public Broker getBroker() { return broker; }
    public EmbeddedBroker getEmbeddedBroker() { return embeddedBroker; }
    public Queue getQueue() { return queue; }
    public Submissions getSubmissions() { return submissions; }
    public Upload getUpload() { return upload; }
    public Integrations getIntegrations() { return integrations; }
    public Retry getRetry() { return retry; }
    public Integration getIntegration() { return integration; }
    public Events getEvents() { return events; }
    public S3 getS3() { return s3; }
    public Aws getAws() { return aws; }
    public Source getSource() { return source; }
    public LocalS3 getLocalS3() { return localS3; }
    public Metrics getMetrics() { return metrics; }
    public Cli getCli() { return cli; }

    /** Where the embedded broker and the local S3-compatible store keep their data. */
    public static class Data {
        private String dir;
        public String getDir() { return dir; }
        public void setDir(String dir) { this.dir = dir; }
    }

    /** The broker; an empty URL starts the embedded one. */
    public static class Broker {
        private String url;
        private String username;
        private String password;
        private int prefetch;
        private boolean connectionPerSession;
        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getUsername() { return username; }
        public void setUsername(String username) { this.username = username; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public int getPrefetch() { return prefetch; }
        public void setPrefetch(int prefetch) { this.prefetch = prefetch; }
        public boolean isConnectionPerSession() { return connectionPerSession; }
        public void setConnectionPerSession(boolean connectionPerSession) { this.connectionPerSession = connectionPerSession; }
    }

    /** Where the embedded broker listens. */
    public static class EmbeddedBroker {
        private String bind;
        public String getBind() { return bind; }
        public void setBind(String bind) { this.bind = bind; }
    }

    /** The queues' names. */
    public static class Queue {
        private String submissions;
        private String uploads;
        private String actions;
        private String deadLetter;
        private String events;
        public String getSubmissions() { return submissions; }
        public void setSubmissions(String submissions) { this.submissions = submissions; }
        public String getUploads() { return uploads; }
        public void setUploads(String uploads) { this.uploads = uploads; }
        public String getActions() { return actions; }
        public void setActions(String actions) { this.actions = actions; }
        public String getDeadLetter() { return deadLetter; }
        public void setDeadLetter(String deadLetter) { this.deadLetter = deadLetter; }
        public String getEvents() { return events; }
        public void setEvents(String events) { this.events = events; }
    }

    /** The consumers of the submissions queue. */
    public static class Submissions {
        private int concurrency;
        public int getConcurrency() { return concurrency; }
        public void setConcurrency(int concurrency) { this.concurrency = concurrency; }
    }

    /** The consumers of the upload jobs queue, copies uploaded inline, and multipart uploads. */
    public static class Upload {
        private int concurrency;
        private long inlineMaxBytes;
        private long multipartThreshold;
        private long partSize;
        public int getConcurrency() { return concurrency; }
        public void setConcurrency(int concurrency) { this.concurrency = concurrency; }
        public long getInlineMaxBytes() { return inlineMaxBytes; }
        public void setInlineMaxBytes(long inlineMaxBytes) { this.inlineMaxBytes = inlineMaxBytes; }
        public long getMultipartThreshold() { return multipartThreshold; }
        public void setMultipartThreshold(long multipartThreshold) { this.multipartThreshold = multipartThreshold; }
        public long getPartSize() { return partSize; }
        public void setPartSize(long partSize) { this.partSize = partSize; }
    }

    /** The integrations file. */
    public static class Integrations {
        private String file;
        private long reloadInterval;
        private long replacedGrace;
        public String getFile() { return file; }
        public void setFile(String file) { this.file = file; }
        public long getReloadInterval() { return reloadInterval; }
        public void setReloadInterval(long reloadInterval) { this.reloadInterval = reloadInterval; }
        public long getReplacedGrace() { return replacedGrace; }
        public void setReplacedGrace(long replacedGrace) { this.replacedGrace = replacedGrace; }
    }

    /** Retries of transient failures. */
    public static class Retry {
        private long initialDelay;
        private double multiplier;
        private long maxDelay;
        private int maxAttempts;
        public long getInitialDelay() { return initialDelay; }
        public void setInitialDelay(long initialDelay) { this.initialDelay = initialDelay; }
        public double getMultiplier() { return multiplier; }
        public void setMultiplier(double multiplier) { this.multiplier = multiplier; }
        public long getMaxDelay() { return maxDelay; }
        public void setMaxDelay(long maxDelay) { this.maxDelay = maxDelay; }
        public int getMaxAttempts() { return maxAttempts; }
        public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    }

    /** Isolation of one integration: when it is slow, and its circuit breaker. */
    public static class Integration {
        private final Circuit circuit = new Circuit();
        private long slowUploadMillis;
        public Circuit getCircuit() { return circuit; }
        public long getSlowUploadMillis() { return slowUploadMillis; }
        public void setSlowUploadMillis(long slowUploadMillis) { this.slowUploadMillis = slowUploadMillis; }
    }

    /** An integration's circuit breaker. */
    public static class Circuit {
        private int failures;
        private long openMillis;
        public int getFailures() { return failures; }
        public void setFailures(int failures) { this.failures = failures; }
        public long getOpenMillis() { return openMillis; }
        public void setOpenMillis(long openMillis) { this.openMillis = openMillis; }
    }

    /** Integration health events. */
    public static class Events {
        private long failingAfter;
        public long getFailingAfter() { return failingAfter; }
        public void setFailingAfter(long failingAfter) { this.failingAfter = failingAfter; }
    }

    /** S3 calls to customer buckets. */
    public static class S3 {
        private long callTimeout;
        private int maxConnections;
        public long getCallTimeout() { return callTimeout; }
        public void setCallTimeout(long callTimeout) { this.callTimeout = callTimeout; }
        public int getMaxConnections() { return maxConnections; }
        public void setMaxConnections(int maxConnections) { this.maxConnections = maxConnections; }
    }

    /** The relay's own AWS identity, which assumes the customers' roles. */
    public static class Aws {
        private String accessKeyId;
        private String secretAccessKey;
        private String region;
        private String stsEndpoint;
        private long roleSessionSeconds;
        private long roleRefreshBeforeSeconds;
        public String getAccessKeyId() { return accessKeyId; }
        public void setAccessKeyId(String accessKeyId) { this.accessKeyId = accessKeyId; }
        public String getSecretAccessKey() { return secretAccessKey; }
        public void setSecretAccessKey(String secretAccessKey) { this.secretAccessKey = secretAccessKey; }
        public String getRegion() { return region; }
        public void setRegion(String region) { this.region = region; }
        public String getStsEndpoint() { return stsEndpoint; }
        public void setStsEndpoint(String stsEndpoint) { this.stsEndpoint = stsEndpoint; }
        public long getRoleSessionSeconds() { return roleSessionSeconds; }
        public void setRoleSessionSeconds(long roleSessionSeconds) { this.roleSessionSeconds = roleSessionSeconds; }
        public long getRoleRefreshBeforeSeconds() { return roleRefreshBeforeSeconds; }
        public void setRoleRefreshBeforeSeconds(long roleRefreshBeforeSeconds) { this.roleRefreshBeforeSeconds = roleRefreshBeforeSeconds; }
    }

    /** Where PDFs may be read from. */
    public static class Source {
        private String fileRoot;
        private String allowedHosts;
        private long maxBytes;
        private long readIdleTimeout;
        private long readTimeout;
        private final SourceS3 s3 = new SourceS3();
        public String getFileRoot() { return fileRoot; }
        public void setFileRoot(String fileRoot) { this.fileRoot = fileRoot; }
        public String getAllowedHosts() { return allowedHosts; }
        public void setAllowedHosts(String allowedHosts) { this.allowedHosts = allowedHosts; }
        public long getMaxBytes() { return maxBytes; }
        public void setMaxBytes(long maxBytes) { this.maxBytes = maxBytes; }
        public long getReadIdleTimeout() { return readIdleTimeout; }
        public void setReadIdleTimeout(long readIdleTimeout) { this.readIdleTimeout = readIdleTimeout; }
        public long getReadTimeout() { return readTimeout; }
        public void setReadTimeout(long readTimeout) { this.readTimeout = readTimeout; }
        public SourceS3 getS3() { return s3; }
    }

    /** The platform's own store, for s3://bucket/key download URLs. */
    public static class SourceS3 {
        private String endpoint;
        private String region;
        private boolean pathStyle;
        private String accessKey;
        private String secretKey;
        public String getEndpoint() { return endpoint; }
        public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
        public String getRegion() { return region; }
        public void setRegion(String region) { this.region = region; }
        public boolean isPathStyle() { return pathStyle; }
        public void setPathStyle(boolean pathStyle) { this.pathStyle = pathStyle; }
        public String getAccessKey() { return accessKey; }
        public void setAccessKey(String accessKey) { this.accessKey = accessKey; }
        public String getSecretKey() { return secretKey; }
        public void setSecretKey(String secretKey) { this.secretKey = secretKey; }
    }

    /** The local S3-compatible store of the default run and of the local-s3 command. */
    public static class LocalS3 {
        private boolean enabled;
        private String host;
        private int port;
        private String accessKey;
        private String secretKey;
        private String buckets;
        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getHost() { return host; }
        public void setHost(String host) { this.host = host; }
        public int getPort() { return port; }
        public void setPort(int port) { this.port = port; }
        public String getAccessKey() { return accessKey; }
        public void setAccessKey(String accessKey) { this.accessKey = accessKey; }
        public String getSecretKey() { return secretKey; }
        public void setSecretKey(String secretKey) { this.secretKey = secretKey; }
        public String getBuckets() { return buckets; }
        public void setBuckets(String buckets) { this.buckets = buckets; }
    }

    /** The relay's own metrics. */
    public static class Metrics {
        private long queueDepthInterval;
        public long getQueueDepthInterval() { return queueDepthInterval; }
        public void setQueueDepthInterval(long queueDepthInterval) { this.queueDepthInterval = queueDepthInterval; }
    }

    /** The commands that talk to the broker. */
    public static class Cli {
        private long connectTimeout;
        public long getConnectTimeout() { return connectTimeout; }
        public void setConnectTimeout(long connectTimeout) { this.connectTimeout = connectTimeout; }
    }
}
