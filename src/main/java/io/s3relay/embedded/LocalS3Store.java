package io.s3relay.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;

/**
 * A real S3-compatible server (s3proxy) on loopback, storing objects as files under a folder (or in memory),
 * so that the default run and the tests upload over the S3 protocol with real signatures.
 */
public class LocalS3Store implements AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final String host;

    /**
     * @param directory where objects are kept as files; null keeps them in memory
     * @param port      0 picks a free one
     */
    public LocalS3Store(Path directory, String host, int port, String accessKey, String secretKey) throws Exception {
        this(storeIn(directory), host, port, accessKey, secretKey);
    }

    /** Serves the given store, e.g. one that a test wraps to see which calls reach the server. */
    public LocalS3Store(BlobStore blobStore, String host, int port, String accessKey, String secretKey) {
        this.host = host;
        this.blobStore = blobStore;
        this.proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
    }

    /** Objects as files under the directory, or in memory when it is null. */
    public static BlobStore storeIn(Path directory) throws Exception {
        Properties properties = new Properties();
        if (directory == null) {
            return BlobStores.create("transient-nio2", properties);
        }
        Files.createDirectories(directory);
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        return BlobStores.create("filesystem-nio2", properties);
    }

    public LocalS3Store start() throws Exception {
        proxy.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return this;
    }

    /** Buckets are the operator's business, never the relay's: this store creates its own for the default run. */
    public LocalS3Store createBucket(String bucket) {
        if (!blobStore.containerExists(bucket)) {
            blobStore.createContainer(bucket, CreateContainerOptions.NONE);
        }
        return this;
    }

    public URI endpoint() {
        return URI.create("http://" + host + ":" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
