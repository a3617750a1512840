package io.s3relay;

import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.MotoServer;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Each object option of an integration is on the stored object, for a single PutObject and a multipart upload alike,
 * as the bucket owner reads it back from moto_server (HeadObject, GetObjectTagging, GetObjectAcl). The uploads go
 * through an assumed role, as a customer who sets these options would grant it.
 * <p>
 * Where moto stores nothing to read back, the test reads what the relay sent from moto's request recorder: moto
 * keeps no separate grant for bucket-owner-full-control (the writer is the bucket owner here, so the object's ACL is
 * the owner's FULL_CONTROL either way) and does not check x-amz-expected-bucket-owner. moto neither checks that the
 * role may use the KMS key (kms:GenerateDataKey) or tag objects (s3:PutObjectTagging): it authorises every upload
 * call as s3:PutObject.
 * <p>
 * One relay for the class (no test advises a route); its settings carry the platform user made in moto.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectOptionsTest extends RelayRouteTestSupport {

    private static final int MIB = 1024 * 1024;

    static MotoServer moto;
    static MotoServer.Platform platform;

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
        Map<String, String> settings = new java.util.HashMap<>(platform.relaySettings());
        settings.putAll(Map.of("s3relay.upload.multipart-threshold", String.valueOf(5 * MIB),
                "s3relay.upload.part-size", String.valueOf(5 * MIB)));
        return settings;
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @AfterAll
    static void stopMoto() throws Exception {
        if (moto != null) {
            moto.close();
            moto = null;
        }
    }

    /** A bucket, and an integration writing into it through a role with the permissions these options need. */
    private String[] integration(String id, String account, String options) {
        String bucket = "options-" + newId("b").toLowerCase().replace('_', '-');
        try (var s3 = moto.s3()) {
            s3.createBucket(r -> r.bucket(bucket));
        }
        String externalId = newId("ext");
        String role = moto.role("upload-" + newId("r"), platform.arn(), externalId, MotoServer.allow(
                "[\"s3:PutObject\", \"s3:PutObjectTagging\", \"s3:PutObjectAcl\"]", "\"arn:aws:s3:::" + bucket + "/*\""));
        addIntegrations(moto.roleIntegration(id, account, bucket, role, externalId, options));
        return new String[] {bucket, role};
    }

    @Test
    void everyOptionIsOnTheStoredObjectForSingleAndMultipartUploads() throws Exception {
        String kmsKey;
        try (var kms = moto.kms()) {
            kmsKey = kms.createKey(r -> r.description("customer key")).keyMetadata().arn();
        }
        String account = newId("acc");
        String[] target = integration("int_options", account, """
                path_template: "{{ template_id }}/{{ submission_id }}.pdf"
                server_side_encryption: aws:kms
                kms_key_id: %s
                storage_class: STANDARD_IA
                acl: bucket-owner-full-control
                expected_bucket_owner: "%s"
                tags:
                  source: s3-relay
                  template: "{{ template_name }}"
                  submission: "{{ submission_id }}"
                """.formatted(kmsKey, MotoServer.ACCOUNT));
        String small = newId("sub");
        String large = newId("sub");

        servers.send(submission(small, account, false, servers.pdf(randomPdf(10_000))));
        servers.send(submission(large, account, false, servers.pdf(randomPdf(6 * MIB))));

        JsonNode processedLarge = servers.awaitStatus(large, "int_options", "processed");
        assertThat(processedLarge.path("result_data").path("etag").asText()).endsWith("-2");
        servers.awaitStatus(small, "int_options", "processed");
        try (var owner = moto.s3()) {
            for (String id : new String[] {small, large}) {
                String key = "tpl_eGc5CmFbPnCCmerqsx/" + id + ".pdf";
                var head = owner.headObject(r -> r.bucket(target[0]).key(key));
                assertThat(head.serverSideEncryptionAsString()).as(key).isEqualTo("aws:kms");
                assertThat(head.ssekmsKeyId()).as(key).isEqualTo(kmsKey);
                assertThat(head.storageClassAsString()).as(key).isEqualTo("STANDARD_IA");
                assertThat(head.contentType()).as(key).isEqualTo("application/pdf");
                // tags, not user metadata
                assertThat(head.metadata()).as(key).isEmpty();
                var tags = owner.getObjectTagging(r -> r.bucket(target[0]).key(key)).tagSet();
                assertThat(tags.stream().collect(Collectors.toMap(Tag::key, Tag::value))).as(key)
                        // the variables are sanitised as in keys: the space of "Invoice 2018" is an underscore
                        .containsExactlyInAnyOrderEntriesOf(Map.of("source", "s3-relay", "template", "Invoice_2018",
                                "submission", id));
                var acl = owner.getObjectAcl(r -> r.bucket(target[0]).key(key));
                assertThat(acl.grants()).as(key).anySatisfy(grant -> {
                    assertThat(grant.permission()).isEqualTo(Permission.FULL_CONTROL);
                    assertThat(grant.grantee().id()).isEqualTo(acl.owner().id());
                });
            }
        }
        // what moto does not keep or check: the canned ACL and the expected owner, on every call of both uploads
        // the relay's calls: signed with the role's session credentials, not as the owner reading back
        var uploads = moto.requests().stream().filter(r -> r.url().contains("/" + target[0] + "/")
                && r.header("x-amz-security-token") != null).toList();
        assertThat(uploads).hasSize(5);
        assertThat(uploads).allSatisfy(r -> assertThat(r.header("x-amz-expected-bucket-owner")).isEqualTo(MotoServer.ACCOUNT));
        assertThat(uploads.stream().filter(r -> r.method().equals("PUT") && !r.url().contains("partNumber="))
                .map(r -> r.header("x-amz-acl"))).containsExactly("bucket-owner-full-control");
        assertThat(uploads.stream().filter(r -> r.method().equals("POST") && r.url().endsWith("?uploads"))
                .map(r -> r.header("x-amz-acl"))).containsExactly("bucket-owner-full-control");
    }

    @Test
    void overwriteFalseKeepsTheFirstObjectAndReportsTheSecondCopyAsAlreadyThere() throws Exception {
        String account = newId("acc");
        String[] target = integration("int_no_overwrite", account, """
                path_template: "fixed/{{ account_id }}.pdf"
                overwrite: false
                """);
        byte[] first = randomPdf(3_000);
        byte[] firstLarge = randomPdf(6 * MIB);
        String one = newId("sub");
        String two = newId("sub");
        String three = newId("sub");

        servers.send(submission(one, account, false, servers.pdf(first)));
        JsonNode created = servers.awaitStatus(one, "int_no_overwrite", "processed");
        servers.send(submission(two, account, false, servers.pdf(randomPdf(4_000))));
        JsonNode kept = servers.awaitStatus(two, "int_no_overwrite", "processed");
        // a multipart upload is refused at its completion: the first object still stays
        servers.send(submission(three, account, false, servers.pdf(firstLarge)));
        JsonNode keptLarge = servers.awaitStatus(three, "int_no_overwrite", "processed");

        assertThat(created.path("result_data").path("already_existed").asBoolean()).isFalse();
        for (JsonNode status : new JsonNode[] {kept, keptLarge}) {
            assertThat(status.path("attempts").asInt()).isEqualTo(1);
            assertThat(status.path("error").isNull()).isTrue();
            assertThat(status.path("result_data").path("already_existed").asBoolean()).isTrue();
            assertThat(status.path("result_data").path("s3_key").asText()).isEqualTo("fixed/" + account + ".pdf");
        }
        assertThat(servers.statusesOf(two)).extracting(s -> s.path("state").asText()).containsExactly("pending", "processed");
        try (var owner = moto.s3()) {
            assertThat(owner.getObject(r -> r.bucket(target[0]).key("fixed/" + account + ".pdf"),
                    ResponseTransformer.toBytes()).asByteArray()).isEqualTo(first);
        }
        assertThat(moto.requests().stream().filter(r -> r.url().contains("/" + target[0] + "/") && r.method().equals("PUT")
                && !r.url().contains("partNumber=")).map(r -> r.header("if-none-match"))).containsExactly("*", "*");
        assertThat(servers.deadLetters()).noneMatch(d -> d.body().contains(two) || d.body().contains(three));
    }

    @Test
    void anUnknownValueIsRefusedWhenTheFileLoadsNamingTheAllowedOnes() {
        String account = newId("acc");
        addIntegrations("""
                  - id: int_bad_sse
                    account_id: %s
                    bucket: some-bucket
                    region: us-east-1
                    access_key_id: AKIAEXAMPLE
                    secret_access_key: example
                    path_template: "{{ submission_id }}.pdf"
                    server_side_encryption: aws:kms:dsse
                  - id: int_bad_acl
                    account_id: %s
                    bucket: some-bucket
                    region: us-east-1
                    access_key_id: AKIAEXAMPLE
                    secret_access_key: example
                    path_template: "{{ submission_id }}.pdf"
                    acl: public-read
                  - id: int_bad_tag
                    account_id: %s
                    bucket: some-bucket
                    region: us-east-1
                    access_key_id: AKIAEXAMPLE
                    secret_access_key: example
                    path_template: "{{ submission_id }}.pdf"
                    tags:
                      who: "{{ submitter }}"
                """.formatted(account, account, account));
        assertThat(integrations().problem("int_bad_sse"))
                .isEqualTo("server_side_encryption must be one of AES256, aws:kms, not 'aws:kms:dsse'");
        assertThat(integrations().problem("int_bad_acl")).isEqualTo("acl must be bucket-owner-full-control, not 'public-read'");
        assertThat(integrations().problem("int_bad_tag")).startsWith("tags.who: unknown variable 'submitter'");
    }
}
