package io.s3relay.command;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.s3relay.embedded.LocalS3Store;
import io.s3relay.settings.RelaySettings;

/**
 * {@code local-s3}: only the S3-compatible store of the default run, with its buckets, and nothing else. The
 * compose stack runs it from the relay's own image as the stand-in for a customer's bucket, so that the stack
 * needs no third-party S3 image and no separate tool to create the bucket. It runs until the process is stopped.
 */
final class LocalS3Command {

    private final Settings settings;
    private final PrintStream out;

    LocalS3Command(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    int run(String[] args) throws Exception {
        if (args.length != 0) {
            out.println("Usage: local-s3 (settings s3relay.local-s3.host, .port, .access-key, .secret-key, .buckets)");
            return 2;
        }
        LocalS3Store store = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                store.close();
            } catch (Exception e) {
                System.err.println("local-s3 did not stop cleanly: " + e);
            } finally {
                stopped.countDown();
            }
        }, "local-s3-stop"));
        stopped.await();
        return 0;
    }

    /** The store, its buckets made before it listens: once the port answers, the buckets exist. */
    LocalS3Store start() throws Exception {
        RelaySettings.LocalS3 local = settings.relay().getLocalS3();
        Path objects = Path.of(settings.relay().getData().getDir()).resolve("s3");
        LocalS3Store store = new LocalS3Store(objects, local.getHost(), local.getPort(), local.getAccessKey(),
                local.getSecretKey());
        List<String> buckets = RelaySettings.list(local.getBuckets());
        for (String bucket : buckets) {
            store.createBucket(bucket);
        }
        store.start();
        out.println("Local S3-compatible store on " + store.endpoint() + " (objects under " + objects + "), buckets: "
                + String.join(", ", buckets));
        return store;
    }
}
