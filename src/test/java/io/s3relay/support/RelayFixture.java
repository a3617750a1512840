package io.s3relay.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.region.DestinationStatistics;
import org.apache.activemq.command.ActiveMQQueue;

/**
 * Real servers for the tests: a persistent ActiveMQ broker (KahaDB) and two s3proxy S3 servers with different
 * credentials, all on loopback with free ports, with the relay's settings for them ({@link #serversOnly}). Started once
 * per test class; each test takes its own accounts, buckets and ids. The relay is never booted here: tests in this
 * JVM boot it on them with {@link RelayRouteTestSupport}, process tests point relay processes at them ({@link
 * #brokerUrl()}, the integrations file, {@link #dir}).
 */
public class RelayFixture implements AutoCloseable {

    public static final String QUEUE_SUBMISSIONS = "s3relay.submissions";
    public static final String QUEUE_ACTIONS = "s3relay.actions";
    public static final String QUEUE_DLQ = "s3relay.dlq";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Where {@link #freePort()} picks from: above the well-known ports, below the usual ephemeral range. */
    private static final int PORTS_START = 20_000;
    private static final int PORTS_END = ephemeralPortsStart();
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    public final Path dir;
    public EmbeddedBroker broker;
    private final int brokerPort;
    public final S3Server serverA;
    public final S3Server serverB;
    private final Path integrationsFile;
    private final List<String> integrationItems = new ArrayList<>();
    private final Connection connection;
    private final Session session;
    private final List<JsonNode> statuses = new CopyOnWriteArrayList<>();
    private final Map<String, String> properties;

    /** An S3 server with its own credentials, and its storage for the tests to look into. */
    public record S3Server(String name, LocalS3Store store, RecordingBlobStore objects, String accessKey, String secretKey) {
        public String endpoint() {
            return store.endpoint().toString();
        }
    }

    /** A message of the dead-letter queue: the body as it was, and the relay's headers. */
    public record DeadLetter(String body, Map<String, Object> headers) {
    }

    /**
     * The broker and the S3 servers only, for a test that boots the relay with Camel's test kit: {@link
     * #relayProperties()} are the settings that point the relay at them.
     */
    public static RelayFixture serversOnly(Map<String, String> extraProperties) throws Exception {
        return new RelayFixture(extraProperties);
    }

    /** The relay's settings for these servers (broker, integrations file, data folder, PDF root...). */
    public Map<String, String> relayProperties() {
        return Map.copyOf(properties);
    }

    private RelayFixture(Map<String, String> extraProperties) throws Exception {
        dir = Files.createTempDirectory("s3relay-test");
        // the servers' ports lie below the ephemeral range (freePort): while one is down for a restart, no outgoing
        // connection can take its port, nor a reconnecting client connect to itself on it
        broker = new EmbeddedBroker(dir.resolve("broker").toFile(), "tcp://127.0.0.1:" + freePort()).start();
        brokerPort = java.net.URI.create(broker.url()).getPort();
        serverA = s3Server("a", "test-key-a", "test-secret-a-" + UUID.randomUUID());
        serverB = s3Server("b", "test-key-b", "test-secret-b-" + UUID.randomUUID());
        integrationsFile = dir.resolve("integrations.yaml");
        Files.writeString(integrationsFile, "integrations: []\n");

        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl());
        connection = factory.createConnection();
        connection.start();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        session.createConsumer(session.createQueue(QUEUE_ACTIONS)).setMessageListener(m -> {
            try {
                statuses.add(JSON.readTree(((TextMessage) m).getText()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        properties = new LinkedHashMap<>();
        properties.put("s3relay.broker.url", brokerUrl());
        properties.put("s3relay.data.dir", dir.resolve("relay").toString());
        properties.put("s3relay.integrations.file", integrationsFile.toString());
        properties.put("s3relay.integrations.reload-interval", "200");
        properties.put("s3relay.local-s3.enabled", "false");
        properties.put("s3relay.retry.initial-delay", "100");
        properties.put("s3relay.retry.max-delay", "400");
        properties.put("s3relay.retry.max-attempts", "3");
        properties.put("camel.management.enabled", "false");
        // file: download URLs are read only under a root: the folder pdf(...) writes to
        properties.put("s3relay.source.file-root", Files.createDirectories(dir.resolve("pdfs")).toString());
        properties.putAll(extraProperties);
    }

    /** Failover, as in production: the relay and the fixture reconnect when the broker comes back. */
    public String brokerUrl() {
        return "failover:(tcp://127.0.0.1:" + brokerPort + ")?initialReconnectDelay=100&maxReconnectDelay=1000";
    }

    /** Stops the broker (a clean stop; its KahaDB keeps every persistent message), waits, starts it again. */
    public void restartBroker(Duration down) throws Exception {
        broker.close();
        Thread.sleep(down.toMillis());
        broker = new EmbeddedBroker(dir.resolve("broker").toFile(), "tcp://127.0.0.1:" + brokerPort).start();
    }

    /** Stops an S3 server for a while, then serves the same objects on the same port again. */
    public S3Server restartS3(S3Server server, Duration down) throws Exception {
        int port = server.store().endpoint().getPort();
        server.store().close();
        Thread.sleep(down.toMillis());
        LocalS3Store store = new LocalS3Store(server.objects(), "127.0.0.1", port, server.accessKey(), server.secretKey()).start();
        restartedStores.add(store);
        return new S3Server(server.name(), store, server.objects(), server.accessKey(), server.secretKey());
    }

    private final List<LocalS3Store> restartedStores = new CopyOnWriteArrayList<>();

    private S3Server s3Server(String name, String accessKey, String secretKey) throws Exception {
        RecordingBlobStore objects = new RecordingBlobStore(LocalS3Store.storeIn(null));
        LocalS3Store store = new LocalS3Store(objects, "127.0.0.1", freePort(), accessKey, secretKey).start();
        return new S3Server(name, store, objects, accessKey, secretKey);
    }

    /** A bucket of its own on the server, for one test. */
    public String newBucket(S3Server server) {
        String bucket = "bucket-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        // straight into the storage: the test making its bucket is not a call the relay made
        server.objects().delegate().createContainer(bucket, org.gaul.s3proxy.blobstore.options.CreateContainerOptions.NONE);
        return bucket;
    }

    /**
     * A port that nothing listens on (for an unreachable bucket) or that a server may take later. It lies below the
     * system's ephemeral range, so no outgoing connection of the tests (a JMS client, an S3 client) can take it as its
     * local port between now and the server's start, and it is never handed out twice in one run.
     */
    public static int freePort() {
        for (int tried = 0; tried < 1_000 && PORTS_END > PORTS_START; tried++) {
            int port = ThreadLocalRandom.current().nextInt(PORTS_START, PORTS_END);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Where Linux starts picking local ports for outgoing connections (32768 unless configured otherwise), and 32768
     * at the most: other systems pick theirs above it.
     */
    private static int ephemeralPortsStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            return Math.min(32_768, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    public static String newId(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 18);
    }

    /**
     * Adds integrations (YAML list items) to the integrations file; a relay reads it again within its reload interval
     * ({@link RelayRouteTestSupport#addIntegrations} puts them in force at once).
     */
    public void addIntegrations(String... items) {
        integrationItems.addAll(List.of(items));
        writeIntegrationsFile("integrations:\n" + String.join("", integrationItems));
    }

    public void writeIntegrationsFile(String yaml) {
        try {
            Files.writeString(integrationsFile, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path integrationsFile() {
        return integrationsFile;
    }

    /** One integration as a YAML list item. */
    public static String integration(String id, String account, S3Server server, String bucket, String extraYaml) {
        return integration(id, account, server, server.endpoint(), bucket, extraYaml);
    }

    /** An integration with a server's credentials but another endpoint: a closed port, a stalling or refusing server. */
    public static String integration(String id, String account, S3Server credentials, String endpoint, String bucket,
                                     String extraYaml) {
        return """
                  - id: %s
                    account_id: %s
                    bucket: %s
                    region: us-east-1
                    access_key_id: %s
                    secret_access_key: %s
                    endpoint: %s
                    path_style: true
                """.formatted(id, account, bucket, credentials.accessKey(), credentials.secretKey(), endpoint)
                + extraYaml.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    /** A PDF of its own for one test, as a file: URL. */
    public String pdf(byte[] bytes) {
        try {
            Path file = Files.createDirectories(dir.resolve("pdfs")).resolve(UUID.randomUUID() + ".pdf");
            Files.write(file, bytes);
            return file.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] randomPdf(int size) {
        byte[] bytes = new byte[size];
        new java.util.Random(size * 31L + SEQUENCE.incrementAndGet()).nextBytes(bytes);
        byte[] header = "%PDF-1.4\n".getBytes();
        System.arraycopy(header, 0, bytes, 0, Math.min(header.length, size));
        return bytes;
    }

    public static String submission(String id, String account, boolean test, String downloadUrl) {
        return """
                {"submission": {"id": "%s", "account_id": "%s", "template_id": "tpl_eGc5CmFbPnCCmerqsx",
                  "template_name": "Invoice 2018", "test": %s, "processed_at": "2018-05-09T09:45:31Z",
                  "metadata": {"user_id": 42}, "download_url": "%s"}}""".formatted(id, account, test, downloadUrl);
    }

    public static String combined(String id, String account, boolean test, String downloadUrl) {
        return """
                {"combined_submission": {"id": "%s", "account_id": "%s", "test": %s,
                  "processed_at": "2018-10-29T09:45:31Z", "metadata": {}, "download_url": "%s"}}"""
                .formatted(id, account, test, downloadUrl);
    }

    /** Sends a persistent text message to the submissions queue, as upstream does. */
    public void send(String body) {
        send(QUEUE_SUBMISSIONS, body);
    }

    public synchronized void send(String queue, String body) {
        try (MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The broker's counters of a queue (messages enqueued, dequeued ...), the queue made if it has none yet. */
    public DestinationStatistics queueStatistics(String queue) {
        try {
            return broker.service().getDestination(new ActiveMQQueue(queue)).getDestinationStatistics();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the statistics of queue " + queue, e);
        }
    }

    /** Status messages received so far for one submission id, in arrival order. */
    public List<JsonNode> statusesOf(String submissionId) {
        return statuses.stream().filter(s -> submissionId.equals(s.path("submission_id").asText(null))
                || submissionId.equals(s.path("combined_submission_id").asText(null))).toList();
    }

    public List<JsonNode> allStatuses() {
        return List.copyOf(statuses);
    }

    /** Waits for a status in the given state for (submission, integration) and returns it. */
    public JsonNode awaitStatus(String submissionId, String integrationId, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(submissionId).stream()
                .filter(s -> integrationId == null ? s.path("integration_id").isNull()
                        : integrationId.equals(s.path("integration_id").asText(null)))
                .filter(s -> state.equals(s.path("state").asText())).findFirst().orElse(null), s -> s != null);
    }

    /** The dead-letter queue as it is now: browsed, not consumed, so that the relay's dlq command finds them too. */
    public List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        // a session of its own: the shared one delivers statuses to a listener, and JMS forbids mixing the two
        try (Session browsing = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             var browser = browsing.createBrowser(browsing.createQueue(QUEUE_DLQ))) {
            for (Enumeration<?> e = browser.getEnumeration(); e.hasMoreElements(); ) {
                jakarta.jms.Message m = (jakarta.jms.Message) e.nextElement();
                if (m == null) {
                    continue; // ActiveMQ's browser may answer null while the next message is still on its way
                }
                Map<String, Object> headers = new LinkedHashMap<>();
                for (Enumeration<?> names = m.getPropertyNames(); names.hasMoreElements(); ) {
                    String name = (String) names.nextElement();
                    headers.put(name, m.getObjectProperty(name));
                }
                letters.add(new DeadLetter(((TextMessage) m).getText(), headers));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return letters;
    }

    public DeadLetter awaitDeadLetter(java.util.function.Predicate<DeadLetter> which) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> deadLetters().stream().filter(which).findFirst().orElse(null), d -> d != null);
    }

    @Override
    public void close() throws Exception {
        try {
            connection.close();
        } finally {
            for (LocalS3Store store : restartedStores) {
                store.close();
            }
            serverA.store().close();
            serverB.store().close();
            broker.close();
        }
    }
}
