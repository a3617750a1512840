package io.s3relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
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

    /** Stops them and deletes their data (a benchmark's objects can fill the disk otherwise). */
    @Override
    public void close() throws Exception {
        connection.close();
        s3.close();
        broker.close();
        BenchRelays.deleteRecursively(dir);
    }
}
