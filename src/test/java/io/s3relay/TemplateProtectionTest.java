package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile template fails its own upload at once; the account's other integration gets its copy. One relay for
 * the class: no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateProtectionTest extends RelayRouteTestSupport {

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void failsARunawayLoopAndAHugeOutputWhileAnotherIntegrationUploads() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_good_" + account, account, servers.serverA, bucket, "path_template: \"ok/{{ submission_id }}.pdf\""),
                integration("int_loop_" + account, account, servers.serverA, bucket,
                        "path_template: \"{% for i in (1..100000000) %}{% endfor %}{{ submission_id }}\""),
                integration("int_huge_" + account, account, servers.serverA, bucket,
                        "path_template: \"{% for i in (1..9000) %}abcdefghij{% endfor %}{{ submission_id }}\""));
        String id = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

        servers.awaitStatus(id, "int_good_" + account, "processed");
        JsonNode loop = servers.awaitStatus(id, "int_loop_" + account, "failed");
        JsonNode huge = servers.awaitStatus(id, "int_huge_" + account, "failed");
        assertThat(loop.path("attempts").asInt()).isEqualTo(1);
        assertThat(loop.path("error").asText()).isEqualTo("the path template loops more than 10000 times");
        assertThat(huge.path("attempts").asInt()).isEqualTo(1);
        assertThat(huge.path("error").asText()).isEqualTo("the path template renders more than 16384 characters");
        assertThat(servers.serverA.objects().read(bucket, "ok/" + id + ".pdf")).isNotNull();
    }

    @Test
    void refusesAHugeTemplateAtLoadWhileTheAccountsOtherIntegrationUploads() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_fine_" + account, account, servers.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_big_" + account, account, servers.serverA, bucket,
                        "path_template: \"" + "a".repeat(10_000) + "{{ submission_id }}\""));
        String id = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));

        servers.awaitStatus(id, "int_fine_" + account, "processed");
        assertThat(integrations().problem("int_big_" + account))
                .isEqualTo("path_template: the path template is 10019 bytes long; at most 8192 are allowed");
        assertThat(servers.statusesOf(id)).noneMatch(s -> s.path("integration_id").asText().equals("int_big_" + account));
    }

    /** 16,000 characters captured in the template itself. */
    private static final String BIG = "{% capture big %}{% for i in (1..1600) %}aaaaaaaaaa{% endfor %}{% endcapture %}";

    @Test
    void failsAReplaceThatWouldBuild256MillionCharactersAndProcessesTheSubmissionBehindIt() {
        String account = newId("acc");
        String other = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_amp_" + account, account, servers.serverA, bucket,
                        "path_template: \"" + BIG + "{{ big | replace: '', big }}{{ submission_id }}\""),
                integration("int_next_" + other, other, servers.serverA, bucket, "path_template: \"next/{{ submission_id }}.pdf\""));
        String hostile = newId("sub");
        String behind = newId("sub");

        servers.send(submission(hostile, account, false, servers.pdf(randomPdf(100))));
        servers.send(submission(behind, other, false, servers.pdf(randomPdf(100))));

        JsonNode failed = servers.awaitStatus(hostile, "int_amp_" + account, "failed");
        assertThat(failed.path("error").asText())
                .isEqualTo("the path template's 'replace' filter would produce more than 16384 characters");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        DeadLetter letter = servers.awaitDeadLetter(d -> d.body().contains(hostile));
        assertThat(letter.headers()).containsEntry("s3relay_integration_id", "int_amp_" + account)
                .containsEntry("s3relay_error_class", "permanent")
                .containsEntry("s3relay_error_message", "the path template's 'replace' filter would produce more than 16384 characters");
        servers.awaitStatus(behind, "int_next_" + other, "processed");
        assertThat(servers.serverA.objects().read(bucket, "next/" + behind + ".pdf")).isNotNull();
    }

    @Test
    void stopsALoopOfContainsOverLargeStringsAtTheDeadline() {
        // contains is an operator, no filter runs in the loop: about 9 minutes of scanning without a deadline
        Tenant scanning = tenant(servers.serverA, "path_template: \"" + BIG
                + "{% capture needle %}{% for i in (1..800) %}aaaaaaaaaa{% endfor %}b{% endcapture %}"
                + "{% for i in (1..7000) %}{% if big contains needle %}found/{% endif %}{% endfor %}{{ submission_id }}\"");
        String id = newId("sub");
        long sent = System.nanoTime();

        servers.send(submission(id, scanning.account(), false, servers.pdf(randomPdf(100))));

        JsonNode failed = servers.awaitStatus(id, scanning.integration(), "failed");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(20));
        assertThat(failed.path("error").asText()).isEqualTo("the path template took too long to render");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void refusesThousandsOfNestedParenthesesAtLoadAndTheWatcherAppliesTheNextEdit() {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String id = "int_deep_" + account;
        String deep = "{% if " + "(".repeat(3_900) + "true" + ")".repeat(3_900) + " %}deep/{% endif %}{{ submission_id }}.pdf";

        // no reload by hand: the relay's own watcher reads each edit of the file
        servers.writeIntegrationsFile("integrations:\n" + integration(id, account, servers.serverA, bucket, "path_template: \"" + deep + "\""));
        await().atMost(Duration.ofSeconds(30)).until(() -> integrations().problem(id) != null);
        assertThat(integrations().problem(id)).isEqualTo("path_template: the path template nests more than 32 levels");
        assertThat(integrations().get(id)).isNull();

        servers.writeIntegrationsFile("integrations:\n" + integration(id, account, servers.serverA, bucket,
                "path_template: \"fixed/{{ submission_id }}.pdf\""));
        await().atMost(Duration.ofSeconds(30)).until(() -> integrations().get(id) != null);
        String sub = newId("sub");
        servers.send(submission(sub, account, false, servers.pdf(randomPdf(100))));
        servers.awaitStatus(sub, id, "processed");
        assertThat(servers.serverA.objects().read(bucket, "fixed/" + sub + ".pdf")).isNotNull();
    }
}
