package io.s3relay.command;

import static io.s3relay.support.RelayFixture.integration;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.RecordingBlobStore;
import io.s3relay.support.RegionalEndpoint;
import io.s3relay.support.RelayFixture.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not on the test kit: it runs the command line in this JVM, and no relay route takes part.
 * <p>
 * check-integration explains, in plain words, why the relay could or could not upload to a bucket.
 */
class CheckIntegrationCommandTest {

    static S3Server server;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeAll
    static void startServer() throws Exception {
        RecordingBlobStore objects = new RecordingBlobStore(LocalS3Store.storeIn(null));
        LocalS3Store store = new LocalS3Store(objects, "127.0.0.1", 0, "check-key", "check-secret").start();
        objects.delegate().createContainer("customer-bucket", org.gaul.s3proxy.blobstore.options.CreateContainerOptions.NONE);
        server = new S3Server("check", store, objects, "check-key", "check-secret");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.store().close();
    }

    @AfterEach
    void clear() {
        System.clearProperty("s3relay.integrations.file");
    }

    @Test
    void saysOkAfterUploadingATestObjectWithPutObjectOnly() throws Exception {
        assertThat(check(server, "customer-bucket")).isZero();
        assertThat(out.toString()).startsWith("OK: uploaded s3-relay-check/");
        assertThat(server.objects().operations()).allMatch(op -> op.startsWith("PutObject"));
    }

    @Test
    void namesAWrongSecret() throws Exception {
        assertThat(check(new S3Server("x", server.store(), server.objects(), "check-key", "not-it"), "customer-bucket")).isEqualTo(1);
        assertThat(out.toString()).startsWith("Wrong secret access key").contains("SignatureDoesNotMatch").doesNotContain("not-it");
    }

    @Test
    void namesAWrongAccessKeyId() throws Exception {
        assertThat(check(new S3Server("x", server.store(), server.objects(), "nobody", "check-secret"), "customer-bucket")).isEqualTo(1);
        assertThat(out.toString()).startsWith("Wrong access key id");
    }

    @Test
    void namesAMissingBucket() throws Exception {
        assertThat(check(server, "no-such-bucket")).isEqualTo(1);
        assertThat(out.toString()).startsWith("No such bucket: no-such-bucket does not exist");
    }

    @Test
    void namesAWrongRegion() throws Exception {
        try (RegionalEndpoint frankfurt = new RegionalEndpoint("eu-central-1")) {
            assertThat(check(integration("int_check", "acc_check", server, frankfurt.endpoint(), "customer-bucket",
                    "path_template: \"{{ submission_id }}.pdf\""))).isEqualTo(1);
        }
        assertThat(out.toString()).startsWith("Wrong region: bucket customer-bucket is not in us-east-1");
    }

    @Test
    void saysThatS3CannotBeReachedWithExitCode3() throws Exception {
        int closed = io.s3relay.support.RelayFixture.freePort();
        String unreachable = integration("int_check", "acc_check", server, "http://127.0.0.1:" + closed, "customer-bucket",
                "path_template: \"x.pdf\"");

        assertThat(check(unreachable)).isEqualTo(3);

        assertThat(out.toString()).startsWith("Cannot reach http://127.0.0.1:" + closed + " for integration int_check (")
                .contains("): check its endpoint and region in ").endsWith(System.lineSeparator());
        assertThat(out.toString().lines()).hasSize(1);
    }

    @Test
    void saysInOneLineThatTheRelayRefusesATemplateNestingThousandsOfLevels() throws Exception {
        String template = "{% if " + "(".repeat(3_900) + "true" + ")".repeat(3_900) + " %}x{% endif %}{{ submission_id }}";
        int calls = server.objects().operations().size();
        assertThat(check(integration("int_check", "acc_check", server, "customer-bucket", "path_template: \"" + template + "\"")))
                .isEqualTo(1);
        assertThat(out.toString()).isEqualTo("Integration int_check is refused by the relay: path_template: the path"
                + " template nests more than 32 levels" + System.lineSeparator());
        assertThat(server.objects().operations()).hasSize(calls);
    }

    @Test
    void refusesAnUnknownIntegration() throws Exception {
        Files.writeString(dir.resolve("integrations.yaml"), "integrations: []\n");
        System.setProperty("s3relay.integrations.file", dir.resolve("integrations.yaml").toString());
        assertThat(new CheckIntegrationCommand(Settings.load(), new PrintStream(out, true), System.err).run(new String[] {"int_nope"})).isEqualTo(2);
        assertThat(out.toString()).contains("no such integration");
    }

    @Test
    void pointsAtAYamlSyntaxErrorWithoutQuotingTheSecretOnThatLine() throws Exception {
        String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + java.util.UUID.randomUUID().toString().substring(0, 10);
        String broken = integration("int_check", "acc_check", server, "customer-bucket", "path_template: \"x.pdf\"")
                .replace("secret_access_key: check-secret", "secret_access_key: \"" + secret);

        assertThat(check(broken)).isEqualTo(2);

        assertThat(out.toString()).contains("is not valid YAML at line").contains("column");
        for (int i = 0; i + 8 <= secret.length(); i++) {
            assertThat(out.toString()).as("no 8 characters of the secret").doesNotContain(secret.substring(i, i + 8));
        }
    }

    private int check(S3Server target, String bucket) throws Exception {
        return check(integration("int_check", "acc_check", target, bucket, "path_template: \"{{ submission_id }}.pdf\""));
    }

    private int check(String integrationYaml) throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, "integrations:\n" + integrationYaml);
        System.setProperty("s3relay.integrations.file", file.toString());
        return new CheckIntegrationCommand(Settings.load(), new PrintStream(out, true), System.err).run(new String[] {"int_check"});
    }
}
