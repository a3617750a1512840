package io.s3relay.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.s3relay.embedded.LocalS3Store;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * {@code local-s3}, the compose stack's S3 stand-in: a store with its buckets, reachable with its credentials.
 * <p>
 * Not on the test kit: it runs the command line in this JVM, and no relay route takes part.
 */
class LocalS3CommandTest {

    @Test
    void servesItsBucketsWithItsCredentialsAndKeepsObjectsUnderTheDataFolder() throws Exception {
        Path data = Files.createTempDirectory("local-s3");
        Map<String, String> settings = Map.of("s3relay.data.dir", data.toString(), "s3relay.local-s3.port", "0",
                "s3relay.local-s3.buckets", "first-bucket, second-bucket", "s3relay.local-s3.access-key", "key-1",
                "s3relay.local-s3.secret-key", "secret-1");
        settings.forEach(System::setProperty);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LocalS3Store store = new LocalS3Command(Settings.load(), new PrintStream(out, true)).start();
             S3Client client = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + store.endpoint().getPort()))
                     .region(Region.US_EAST_1).forcePathStyle(true)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key-1", "secret-1")))
                     .build()) {
            assertThat(client.listBuckets().buckets()).extracting(b -> b.name()).contains("first-bucket", "second-bucket");
            client.putObject(PutObjectRequest.builder().bucket("second-bucket").key("a.pdf").build(),
                    RequestBody.fromString("%PDF-1.4", StandardCharsets.UTF_8));
            assertThat(data.resolve("s3/second-bucket/a.pdf")).exists();
            assertThat(out.toString()).contains("first-bucket, second-bucket");
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void refusesArguments() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new LocalS3Command(Settings.load(), new PrintStream(out, true)).run(new String[] {"extra"})).isEqualTo(2);
        assertThat(out.toString()).contains("Usage: local-s3");
    }
}
