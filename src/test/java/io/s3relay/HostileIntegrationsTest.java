package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import org.apache.camel.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a customer writes into the integrations file (bucket names above all) is data, never Camel syntax; and a
 * broken integrations file never makes an account's submissions vanish.
 */
class HostileIntegrationsTest {

    static final String SECRET = "platform-secret-" + newId("s");

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass(Map.of(
            "s3relay.test.platform-secret", SECRET,
            // replaced integrations leave Camel's registry soon, for the test below
            "s3relay.integrations.replaced-grace", "200"));

    @Test
    void aBucketNameHoldingPlaceholdersOrEndpointOptionsFailsItsCopiesAndLeaksNothing() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(
                integration("int_ok_" + account, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_placeholder_" + account, account, relay.serverA,
                        "\"leak-{{s3relay.test.platform-secret}}-{{env:PATH}}\"", "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_option_" + account, account, relay.serverA,
                        "\"" + bucket + "?useDefaultCredentialsProvider=true\"", "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(300))));

        relay.awaitStatus(id, "int_ok_" + account, "processed");
        for (String rejected : new String[] {"int_placeholder_" + account, "int_option_" + account}) {
            JsonNode failed = relay.awaitStatus(id, rejected, "failed");
            assertThat(failed.path("error").asText())
                    .isEqualTo("integration " + rejected + " is not in force: bucket is not a valid S3 bucket name: "
                            + "only lowercase letters, digits, dots and hyphens are allowed");
            DeadLetter letter = relay.awaitDeadLetter(d -> d.body().contains(id) && d.body().contains(rejected));
            assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent");
        }
        String everything = relay.allStatuses() + " " + relay.deadLetters() + " " + relay.serverA.objects().operations()
                + " " + relay.relay().getCamelContext().getEndpoints();
        assertThat(everything).doesNotContain(SECRET).doesNotContain(System.getenv("PATH"));
        assertThat(relay.serverA.objects().read(bucket, id + ".pdf")).isNotNull();
    }

    @Test
    void noEndpointUriCarriesACustomersBucketOptions() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverB);
        relay.addIntegrations(integration("int_" + account, account, relay.serverB, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(200))));

        relay.awaitStatus(id, "int_" + account, "processed");
        assertThat(relay.relay().getCamelContext().getEndpoints()).extracting(Endpoint::getEndpointUri)
                .filteredOn(uri -> uri.startsWith("aws2-s3:") || uri.startsWith("ref:"))
                .isNotEmpty()
                .allSatisfy(uri -> assertThat(uri).doesNotContain("?").doesNotContain("amazonS3Client"));
    }

    @Test
    void aTruncatedIntegrationsFileKeepsTheLastGoodConfigurationAndAnExplicitEmptyListRemovesIt() throws Exception {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = "int_" + account;
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String before = Files.readString(relay.integrationsFile());
        try {
            for (String broken : new String[] {"", "integrations:\n", "# being written\n", "integrations"}) {
                relay.writeIntegrationsFile(broken);
                relay.registry().reload();
                String id = newId("sub");
                relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));
                relay.awaitStatus(id, integrationId, "processed");
            }
            Files.delete(relay.integrationsFile());
            relay.registry().reload();
            String whileMissing = newId("sub");
            relay.send(submission(whileMissing, account, false, relay.pdf(randomPdf(100))));
            relay.awaitStatus(whileMissing, integrationId, "processed");

            relay.writeIntegrationsFile("integrations: []\n");
            relay.registry().reload();
            assertThat(relay.registry().get(integrationId)).isNull();
        } finally {
            relay.writeIntegrationsFile(before);
            relay.registry().reload();
        }
    }

    @Test
    void aReplacedIntegrationsEndpointsLeaveCamelsRegistry() {
        String account = newId("acc");
        String first = relay.newBucket(relay.serverA);
        String second = relay.newBucket(relay.serverA);
        String integrationId = "int_" + account;
        relay.addIntegrations(integration(integrationId, account, relay.serverA, first, "path_template: \"{{ submission_id }}.pdf\""));
        var replaced = relay.registry().get(integrationId).target();
        String text = Files.exists(relay.integrationsFile()) ? read() : "";
        relay.writeIntegrationsFile(text.replace(first, second));
        relay.registry().reload();

        String id = newId("sub");
        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));
        relay.awaitStatus(id, integrationId, "processed");
        assertThat(relay.serverA.objects().read(second, id + ".pdf")).isNotNull();
        var registry = relay.relay().getCamelContext().getRegistry();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.lookupByName(replaced.putObject()) == null
                && registry.lookupByName(replaced.multipart()) == null);
        assertThat(relay.relay().getCamelContext().getEndpoints()).extracting(Endpoint::getEndpointUri)
                .doesNotContain("aws2-s3://" + first);
    }

    private static String read() {
        try {
            return Files.readString(relay.integrationsFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
