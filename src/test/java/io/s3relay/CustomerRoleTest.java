package io.s3relay;

import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.auth.AssumeRoleFailures;
import io.s3relay.command.CheckIntegrationCommand;
import io.s3relay.command.Settings;
import io.s3relay.support.MotoServer;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * Integrations with a role (role_arn, external_id), against moto_server with IAM enforced: the relay's own
 * principal is an IAM user allowed sts:AssumeRole; each customer's role trusts that user with an sts:ExternalId
 * condition and allows s3:PutObject on its bucket only. moto keeps the platform and the customers in one account
 * (it checks a role's trust policy only for roles of the caller's own account), which changes nothing the relay does.
 * One relay for the class (no test advises a route); its settings carry the platform user made in moto.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CustomerRoleTest extends RelayRouteTestSupport {

    /** Role credentials last STS's minimum, 900 s, and are renewed once less than 890 s are left: 10 s after. */
    private static final int REFRESH_AFTER_SECONDS = 10;

    static MotoServer moto;
    static MotoServer.Platform platform;

    @TempDir
    Path dir;

    /** Started with the relay's settings, which name its platform user: the class's one relay is made before @BeforeAll. */
    static synchronized void startMoto() throws Exception {
        if (moto != null) {
            return;
        }
        moto = MotoServer.startOrSkip();
        platform = moto.platformUser();
    }

    @Override
    protected Map<String, String> settings() {
        try {
            startMoto();
        } catch (RuntimeException skippedOrFailed) {
            throw skippedOrFailed;
        } catch (Exception e) {
            throw new IllegalStateException("moto_server did not start", e);
        }
        return relaySettings();
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    static Map<String, String> relaySettings() {
        Map<String, String> settings = new java.util.HashMap<>(platform.relaySettings());
        settings.putAll(Map.of("s3relay.aws.role-session-seconds", "900",
                "s3relay.aws.role-refresh-before-seconds", String.valueOf(900 - REFRESH_AFTER_SECONDS)));
        return settings;
    }

    @AfterAll
    static void stopMoto() throws Exception {
        if (moto != null) {
            moto.close();
            moto = null;
        }
    }

    /** A bucket of the customer's, and a role allowed only s3:PutObject into it, trusting the platform with this external ID. */
    static String[] customer(String externalId) {
        String bucket = "customer-" + newId("b").toLowerCase().replace('_', '-');
        try (var s3 = moto.s3()) {
            s3.createBucket(r -> r.bucket(bucket));
        }
        String role = moto.role("upload-" + newId("r"), platform.arn(), externalId,
                MotoServer.allow("\"s3:PutObject\"", "\"arn:aws:s3:::" + bucket + "/*\""));
        return new String[] {bucket, role};
    }

    static String roleIntegration(String id, String account, String bucket, String roleArn, String externalId) {
        return moto.roleIntegration(id, account, bucket, roleArn, externalId, "path_template: \"{{ submission_id }}.pdf\"");
    }

    @Test
    void uploadsThroughTheAssumedRoleWhosePolicyAllowsOnlyPutObject() throws Exception {
        String account = newId("acc");
        String externalId = newId("ext");
        String[] customer = customer(externalId);
        // a second bucket of the same customer that the role may not write into: S3's policy check is on
        String otherBucket = customer(newId("ext"))[0];
        addIntegrations(roleIntegration("int_role", account, customer[0], customer[1], externalId),
                roleIntegration("int_role_other_bucket", account, otherBucket, customer[1], externalId));
        byte[] pdf = randomPdf(2_000);
        String id = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(pdf)));

        JsonNode processed = servers.awaitStatus(id, "int_role", "processed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        try (var s3 = moto.s3()) {
            assertThat(s3.getObject(r -> r.bucket(customer[0]).key(id + ".pdf"), ResponseTransformer.toBytes()).asByteArray())
                    .isEqualTo(pdf);
        }
        JsonNode refused = servers.awaitStatus(id, "int_role_other_bucket", "failed");
        assertThat(refused.path("attempts").asInt()).isEqualTo(1);
        assertThat(refused.path("error").asText()).startsWith("S3 answered 403 AccessDenied");
        // what the customer's CloudTrail shows: a session named for the account, with the external ID
        var calls = moto.assumeRoleCalls(customer[1]);
        assertThat(calls).isNotEmpty().allSatisfy(call -> {
            assertThat(call.formParameter("ExternalId")).isEqualTo(externalId);
            assertThat(call.formParameter("RoleSessionName")).isEqualTo("s3-relay-" + account);
            assertThat(call.formParameter("DurationSeconds")).isEqualTo("900");
        });
    }

    @Test
    void aWrongExternalIdFailsAfterOneAttemptWithAReadableErrorWhileASiblingSucceeds() throws Exception {
        String account = newId("acc");
        String externalId = newId("ext");
        String[] customer = customer(externalId);
        addIntegrations(roleIntegration("int_right_id", account, customer[0], customer[1], externalId),
                roleIntegration("int_wrong_id", account, customer[0], customer[1], "not-" + externalId));
        String id = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(1_000))));

        servers.awaitStatus(id, "int_right_id", "processed");
        JsonNode failed = servers.awaitStatus(id, "int_wrong_id", "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        // AWS answers 403 AccessDenied; moto's answer carries no error code the SDK reads
        assertThat(failed.path("error").asText()).startsWith(AssumeRoleFailures.REFUSED + " (STS answered 403");
        assertThat(failed.toString()).doesNotContain(externalId).doesNotContain(platform.credentials().secretAccessKey());
        // refused once, never retried: moto's trust policy check (StringEquals on sts:ExternalId) said no to one call
        Thread.sleep(1_000);
        assertThat(moto.assumeRoleCalls(customer[1])).filteredOn(c -> c.formParameter("ExternalId").equals("not-" + externalId))
                .hasSize(1);
        assertThat(servers.statusesOf(id)).filteredOn(s -> s.path("integration_id").asText().equals("int_wrong_id"))
                .extracting(s -> s.path("state").asText()).containsExactly("pending", "failed");
    }

    @Test
    void credentialsAreReusedAcrossUploadsAndRenewedBeforeTheyExpire() throws Exception {
        String account = newId("acc");
        String externalId = newId("ext");
        String[] customer = customer(externalId);
        addIntegrations(roleIntegration("int_cached", account, customer[0], customer[1], externalId));
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            String id = newId("sub");
            servers.send(submission(id, account, false, servers.pdf(randomPdf(500))));
            servers.awaitStatus(id, "int_cached", "processed");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("five uploads well within the credentials' first"
                + " " + REFRESH_AFTER_SECONDS + " s").isLessThan(Duration.ofSeconds(REFRESH_AFTER_SECONDS - 2));
        assertThat(moto.assumeRoleCalls(customer[1])).as("one AssumeRole for five uploads").hasSize(1);

        Thread.sleep(Duration.ofSeconds(REFRESH_AFTER_SECONDS + 1).toMillis());
        for (int i = 0; i < 3; i++) {
            String id = newId("sub");
            servers.send(submission(id, account, false, servers.pdf(randomPdf(500))));
            servers.awaitStatus(id, "int_cached", "processed");
        }
        assertThat(moto.assumeRoleCalls(customer[1])).as("renewed once, by the first upload that found them due").hasSize(2);
    }

    @Test
    void aRoleWithStaticKeysBesideItIsRefusedAsAConfigurationError() throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, "integrations:\n" + roleIntegration("int_both", "acc_both", "bucket-both",
                "arn:aws:iam::123456789012:role/x", "ext-123") + "    access_key_id: AKIAEXAMPLE\n    secret_access_key: s3cr3t\n");
        var contents = new io.s3relay.config.IntegrationsFile().read(file);
        assertThat(contents.problems()).containsEntry("int_both",
                "give either role_arn (with external_id) or access_key_id and secret_access_key, not both");
    }

    @Test
    void checkIntegrationTellsARefusedRoleFromARoleThatMayNotWriteFromOneThatWorks() throws Exception {
        String externalId = newId("ext");
        String[] customer = customer(externalId);
        String otherBucket = customer(newId("ext"))[0];
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, "integrations:\n"
                + roleIntegration("int_ok", "acc_check", customer[0], customer[1], externalId)
                + roleIntegration("int_wrong_id", "acc_check", customer[0], customer[1], "nope-" + externalId)
                + roleIntegration("int_no_write", "acc_check", otherBucket, customer[1], externalId));
        relaySettings().forEach(System::setProperty);
        System.setProperty("s3relay.integrations.file", file.toString());
        try {
            assertThat(check("int_ok")).startsWith("OK: uploaded s3-relay-check/").contains("as role " + customer[1]);
            assertThat(check("int_wrong_id")).startsWith("Cannot assume role " + customer[1] + ": " + AssumeRoleFailures.REFUSED
                    + " (STS answered 403").contains("The role's trust policy must name the relay's principal")
                    .doesNotContain(externalId).doesNotContain(platform.credentials().secretAccessKey());
            assertThat(check("int_no_write")).startsWith("Access denied: the role may not PutObject into " + otherBucket);
        } finally {
            relaySettings().keySet().forEach(System::clearProperty);
            System.clearProperty("s3relay.integrations.file");
        }
    }

    private static String check(String id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CheckIntegrationCommand(Settings.load(), new PrintStream(out, true), System.err).run(new String[] {id});
        return out.toString();
    }

}
