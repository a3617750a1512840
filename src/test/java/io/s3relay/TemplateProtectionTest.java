package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A hostile template fails its own upload at once; the account's other integration gets its copy. */
class TemplateProtectionTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass();

    @Test
    void failsARunawayLoopAndAHugeOutputWhileAnotherIntegrationUploads() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(
                integration("int_good_" + account, account, relay.serverA, bucket, "path_template: \"ok/{{ submission_id }}.pdf\""),
                integration("int_loop_" + account, account, relay.serverA, bucket,
                        "path_template: \"{% for i in (1..100000000) %}{% endfor %}{{ submission_id }}\""),
                integration("int_huge_" + account, account, relay.serverA, bucket,
                        "path_template: \"{% for i in (1..9000) %}abcdefghij{% endfor %}{{ submission_id }}\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

        relay.awaitStatus(id, "int_good_" + account, "processed");
        JsonNode loop = relay.awaitStatus(id, "int_loop_" + account, "failed");
        JsonNode huge = relay.awaitStatus(id, "int_huge_" + account, "failed");
        assertThat(loop.path("attempts").asInt()).isEqualTo(1);
        assertThat(loop.path("error").asText()).isEqualTo("the path template loops more than 10000 times");
        assertThat(huge.path("attempts").asInt()).isEqualTo(1);
        assertThat(huge.path("error").asText()).isEqualTo("the path template renders more than 16384 characters");
        assertThat(relay.serverA.objects().read(bucket, "ok/" + id + ".pdf")).isNotNull();
    }

    @Test
    void refusesAHugeTemplateAtLoadWhileTheAccountsOtherIntegrationUploads() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        relay.addIntegrations(
                integration("int_fine_" + account, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_big_" + account, account, relay.serverA, bucket,
                        "path_template: \"" + "a".repeat(10_000) + "{{ submission_id }}\""));
        String id = newId("sub");

        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));

        relay.awaitStatus(id, "int_fine_" + account, "processed");
        assertThat(relay.registry().problems().get("int_big_" + account))
                .isEqualTo("path_template: the path template is 10019 bytes long; at most 8192 are allowed");
        assertThat(relay.statusesOf(id)).noneMatch(s -> s.path("integration_id").asText().equals("int_big_" + account));
    }
}
