package io.s3relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The servers a benchmark measures against, in its own JVM: a persistent ActiveMQ broker and an s3proxy S3 server
 * with the bucket {@code bench} (credentials {@code bench} / {@code bench-secret}), both on loopback, their data in a
 * temporary directory; and a started connection to the broker for the benchmark's own sender and listener.
 */
record BenchServers(Path dir, EmbeddedBroker broker, BlobStore objects, LocalS3Store s3, Connection connection)
        implements AutoCloseable {

    /**
     * @param store how the benchmark looks into the objects (a counting or recording store around the one on disk);
     *              on disk, as an in-memory store would fill the heap and the heap figures with the objects
     */
    static BenchServers start(String name, UnaryOperator<BlobStore> store) throws Exception {
        Path dir = Files.createTempDirectory(name);
        EmbeddedBroker broker = new EmbeddedBroker(dir.resolve("broker").toFile(), "tcp://127.0.0.1:0").start();
        BlobStore objects = store.apply(LocalS3Store.storeIn(dir.resolve("s3")));
        LocalS3Store s3 = new LocalS3Store(objects, "127.0.0.1", 0, "bench", "bench-secret").start();
        s3.createBucket("bench");
        Connection connection = new ActiveMQConnectionFactory(broker.url()).createConnection();
        connection.start();
        return new BenchServers(dir, broker, objects, s3, connection);
    }

    /**
     * Warms the servers up, as long-running services are: their code is compiled before the first system measured
     * starts, so that it does not pay for it. {@code count} PutObjects of {@code pdf} and as many transacted JMS round
     * trips; the bucket is emptied after.
     */
    void warmUp(int count, byte[] pdf) throws Exception {
        long start = System.nanoTime();
        try (S3Client client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret"))).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "warmup/" + i + ".pdf";
                puts.add(pool.submit(() -> client.putObject(PutObjectRequest.builder().bucket("bench").key(key).build(),
                        RequestBody.fromBytes(pdf))));
            }
            for (var put : puts) {
                put.get();
            }
            pool.shutdown();
        }
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer producer = session.createProducer(session.createQueue("bench.warmup"));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        MessageConsumer consumer = session.createConsumer(session.createQueue("bench.warmup"));
        for (int i = 0; i < count; i += 10) {
            for (int j = 0; j < 10; j++) {
                producer.send(session.createTextMessage("{\"warmup\": " + (i + j) + "}"));
            }
            session.commit();
            for (int j = 0; j < 10; j++) {
                if (consumer.receive(10_000) == null) {
                    throw new IllegalStateException("a warm-up message did not come back");
                }
            }
            session.commit();
        }
        session.close();
        emptyBucket();
        System.out.printf(Locale.ROOT, "servers warmed up: %d PutObjects and %d JMS messages sent and received in %.1f s%n", count, count,
                (System.nanoTime() - start) / 1e9);
    }

    /** Deletes every object of the bucket {@code bench} (a benchmark's objects can fill the disk otherwise). */
    void emptyBucket() {
        objects.deleteContainer("bench");
        s3.createBucket("bench");
    }

    /** Stops them and deletes their data (a benchmark's objects can fill the disk otherwise). */
    @Override
    public void close() throws Exception {
        connection.close();
        s3.close();
        broker.close();
        BenchRelays.deleteRecursively(dir);
    }
}
