package io.s3relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.gaul.s3proxy.blobstore.BlobStore;

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
     * Warms the servers up, as long-running services are: the code they run for a system draining a backlog is
     * compiled before the first system measured starts, so that it does not pay for it. The hand-written consumer
     * ({@link HandWrittenCeilings#ceiling}, 8 transacted consumers with prefetch 10, a pending and a processed status per
     * upload) runs in this JVM over {@code count} queued submissions of {@code pdf}: the broker's dispatch, transactions
     * and journal, and the S3 server's PutObject, as the systems use them. The bucket is emptied after.
     */
    void warmUp(int count, byte[] pdf) throws Exception {
        long start = System.nanoTime();
        Path pdfFile = dir.resolve("warmup.pdf");
        Files.write(pdfFile, pdf);
        String submissions = "bench.warmup.submissions";
        String actions = "bench.warmup.actions";
        CountDownLatch processed = new CountDownLatch(count);
        Session listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        listening.createConsumer(listening.createQueue(actions)).setMessageListener(status -> {
            try {
                if (((TextMessage) status).getText().contains("\"state\":\"processed\"")) {
                    processed.countDown();
                }
            } catch (JMSException e) {
                throw new IllegalStateException(e);
            }
        });
        try (AutoCloseable consumer = HandWrittenCeilings.ceiling(HandWrittenCeilings.withPrefetch(broker.url()),
                s3.endpoint(), submissions, actions, 1, HandWrittenCeilings.CONSUMERS, "warmup", true)) {
            Session sending = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = sending.createProducer(sending.createQueue(submissions));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = 0; i < count; i++) {
                producer.send(sending.createTextMessage(BenchRelays.submission("sub_warmup_" + i, "acc_warmup", pdfFile)));
                if (i % 500 == 499) {
                    sending.commit();
                }
            }
            sending.commit();
            sending.close();
            if (!processed.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the servers' warm-up did not finish: " + processed.getCount() + " left");
            }
        }
        listening.close();
        emptyBucket();
        System.out.printf(Locale.ROOT, "servers warmed up: the hand-written consumer in this JVM drained %d submissions in %.1f s%n",
                count, (System.nanoTime() - start) / 1e9);
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
