package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.main.Main;
import io.s3relay.command.SendCommand;
import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots S3Relay.newMain() itself, not the kit: it checks the relay's own defaults, which the kit's settings replace.
 * <p>
 * The run a newcomer makes: no configuration but a data folder, so the embedded broker (tcp://127.0.0.1:61616),
 * the local S3-compatible store (port 9000) and the sample integration of config/integrations.yaml.
 */
class DefaultRunTest {

    @TempDir
    Path data;

    @Test
    void uploadsTheSampleSubmissionIntoTheLocalStoreWithNoConfiguration() throws Exception {
        int managementPort = RelayFixture.freePort();
        System.setProperty("s3relay.data.dir", data.toString());
        Main relay = S3Relay.newMain();
        relay.addOverrideProperty("s3relay.data.dir", data.toString());
        relay.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
        relay.start();
        try {
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("UP");

            assertThat(S3Relay.execute(new String[] {"send", "--sample"})).isZero();

            Path bucket = data.resolve("s3").resolve("sample-pdfs").resolve("tpl_sample");
            List<Path> objects = await().atMost(Duration.ofSeconds(30)).until(() -> list(bucket), l -> l.size() == 1);
            assertThat(objects.get(0).getFileName().toString()).matches("sub_[0-9a-f]{18}\\.pdf");
            assertThat(Files.readString(objects.get(0))).isEqualTo(SendCommand.SAMPLE_PDF);
        } finally {
            relay.stop();
            System.clearProperty("s3relay.data.dir");
        }
    }

    private static List<Path> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
