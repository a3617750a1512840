package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;

/**
 * Runs the relay as a process of its own: a JVM's environment variables can only be set for a new process.
 * <p>
 * The relay as a container runs it: configured by environment variables alone (S3RELAY_BROKER_URL and so on).
 */
class EnvironmentConfigurationTest {

    @Test
    void takesItsSettingsFromEnvironmentVariables() throws Exception {
        try (RelayFixture relay = RelayFixture.serversOnly(Map.of())) {
            String account = newId("acc");
            String bucket = relay.newBucket(relay.serverA);
            relay.addIntegrations(integration("int_env", account, relay.serverA, bucket, "path_template: \"env/{{ submission_id }}.pdf\""));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "io.s3relay.S3Relay"))
                    .directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true)
                    .redirectOutput(Path.of("target", "environment-configuration-relay.log").toFile());
            builder.environment().put("S3RELAY_BROKER_URL", relay.brokerUrl());
            builder.environment().put("S3RELAY_QUEUE_SUBMISSIONS", "from-environment.submissions");
            builder.environment().put("S3RELAY_INTEGRATIONS_FILE", relay.integrationsFile().toString());
            builder.environment().put("S3RELAY_DATA_DIR", relay.dir.resolve("env-run").toString());
            builder.environment().put("S3RELAY_SOURCE_FILE_ROOT", relay.dir.resolve("pdfs").toString());
            builder.environment().put("S3RELAY_LOCAL_S3_ENABLED", "false");
            builder.environment().put("CAMEL_MANAGEMENT_ENABLED", "false");
            Process process = builder.start();
            try {
                String id = newId("sub");
                relay.send("from-environment.submissions", submission(id, account, false, relay.pdf(randomPdf(500))));
                relay.awaitStatus(id, "int_env", "processed");
                assertThat(relay.serverA.objects().read(bucket, "env/" + id + ".pdf")).isNotNull();
            } finally {
                process.destroy();
                process.waitFor();
            }
        }
    }
}
