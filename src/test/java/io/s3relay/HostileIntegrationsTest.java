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
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.Endpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a customer writes into the integrations file (bucket names above all) is data, never Camel syntax; and a
 * broken integrations file never makes an account's submissions vanish. One relay for the class: no test advises
 * a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileIntegrationsTest extends RelayRouteTestSupport {

    static final String SECRET = "platform-secret-" + newId("s");

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.test.platform-secret", SECRET,
                // replaced integrations leave Camel's registry soon, for the test below
                "s3relay.integrations.replaced-grace", "200");
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void aBucketNameHoldingPlaceholdersOrEndpointOptionsFailsItsCopiesAndLeaksNothing() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_ok_" + account, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_placeholder_" + account, account, servers.serverA,
                        "\"leak-{{s3relay.test.platform-secret}}-{{env:PATH}}\"", "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_option_" + account, account, servers.serverA,
                        "\"" + bucket + "?useDefaultCredentialsProvider=true\"", "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(300))));

        servers.awaitStatus(id, "int_ok_" + account, "processed");
        for (String rejected : new String[] {"int_placeholder_" + account, "int_option_" + account}) {
            JsonNode failed = servers.awaitStatus(id, rejected, "failed");
            assertThat(failed.path("error").asText())
                    .isEqualTo("integration " + rejected + " is not in force: bucket is not a valid S3 bucket name: "
                            + "only lowercase letters, digits, dots and hyphens are allowed");
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(id) && d.body().contains(rejected));
            assertThat(letter.headers()).containsEntry("s3relay_error_class", "permanent");
        }
        String everything = servers.allStatuses() + " " + servers.deadLetters() + " " + servers.serverA.objects().operations()
                + " " + context.getEndpoints();
        assertThat(everything).doesNotContain(SECRET).doesNotContain(System.getenv("PATH"));
        assertThat(servers.serverA.objects().read(bucket, id + ".pdf")).isNotNull();
    }

    @Test
    void noEndpointUriCarriesACustomersBucketOptions() {
        Tenant tenant = tenant(servers.serverB, "path_template: \"{{ submission_id }}.pdf\"");
        String id = newId("sub");

        servers.send(submission(id, tenant.account(), false, servers.pdf(randomPdf(200))));

        servers.awaitStatus(id, tenant.integration(), "processed");
        assertThat(context.getEndpoints()).extracting(Endpoint::getEndpointUri)
                .filteredOn(uri -> uri.startsWith("aws2-s3:") || uri.startsWith("ref:"))
                .isNotEmpty()
                .allSatisfy(uri -> assertThat(uri).doesNotContain("?").doesNotContain("amazonS3Client"));
    }

    @Test
    void aTruncatedIntegrationsFileKeepsTheLastGoodConfigurationAndAnExplicitEmptyListRemovesIt() throws Exception {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String integrationId = tenant.integration();
        String before = Files.readString(servers.integrationsFile());
        try {
            for (String broken : new String[] {"", "integrations:\n", "# being written\n", "integrations"}) {
                servers.writeIntegrationsFile(broken);
                integrations().reload();
                String id = newId("sub");
                servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));
                servers.awaitStatus(id, integrationId, "processed");
            }
            Files.delete(servers.integrationsFile());
            integrations().reload();
            String whileMissing = newId("sub");
            servers.send(submission(whileMissing, account, false, servers.pdf(randomPdf(100))));
            servers.awaitStatus(whileMissing, integrationId, "processed");

            servers.writeIntegrationsFile("integrations: []\n");
            integrations().reload();
            assertThat(integrations().get(integrationId)).isNull();
        } finally {
            servers.writeIntegrationsFile(before);
            integrations().reload();
        }
    }

    @Test
    void aReplacedIntegrationsEndpointsLeaveCamelsRegistry() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String account = tenant.account();
        String first = tenant.bucket();
        String second = servers.newBucket(servers.serverA);
        String integrationId = tenant.integration();
        var replaced = integrations().get(integrationId).target();
        String text = Files.exists(servers.integrationsFile()) ? read() : "";
        servers.writeIntegrationsFile(text.replace(first, second));
        integrations().reload();

        String id = newId("sub");
        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));
        servers.awaitStatus(id, integrationId, "processed");
        assertThat(servers.serverA.objects().read(second, id + ".pdf")).isNotNull();
        var registry = context.getRegistry();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.lookupByName(replaced.putObject()) == null
                && registry.lookupByName(replaced.multipart()) == null);
        assertThat(context.getEndpoints()).extracting(Endpoint::getEndpointUri)
                .doesNotContain("aws2-s3://" + first);
    }

    private String read() {
        try {
            return Files.readString(servers.integrationsFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
