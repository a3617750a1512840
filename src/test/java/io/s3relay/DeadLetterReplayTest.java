package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An operator lists the dead letters, fixes the cause and replays them: they complete, marked as replayed. */
class DeadLetterReplayTest {

    static RelayFixture relay;

    @BeforeAll
    static void startServers() throws Exception {
        relay = RelayFixture.start();
        System.setProperty("s3relay.broker.url", relay.broker.url());
    }

    @AfterAll
    static void stopServers() throws Exception {
        System.clearProperty("s3relay.broker.url");
        relay.close();
    }

    @Test
    void replaysTheDeadLettersOfAnIntegrationOnceItsCredentialsAreFixed() throws Exception {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        S3Server wrongSecret = new S3Server("a", relay.serverA.store(), relay.serverA.objects(), relay.serverA.accessKey(), "revoked");
        String template = "path_template: \"{{ submission_id }}.pdf\"";
        relay.addIntegrations(integration(integrationId, account, wrongSecret, bucket, template));
        String first = newId("sub");
        String second = newId("sub");
        String garbage = "not json " + newId("x");
        relay.send(submission(first, account, false, relay.pdf(randomPdf(100))));
        relay.send(submission(second, account, false, relay.pdf(randomPdf(100))));
        relay.send(garbage);
        relay.awaitStatus(first, integrationId, "failed");
        relay.awaitStatus(second, integrationId, "failed");
        relay.awaitDeadLetter(d -> d.body().equals(garbage));

        String listing = run("dlq", "list");
        assertThat(listing).contains("integration=" + integrationId).contains("SignatureDoesNotMatch")
                .contains(first).contains(second).doesNotContain("revoked");

        relay.writeIntegrationsFile("integrations:\n" + integration(integrationId, account, relay.serverA, bucket, template));
        relay.registry().reload();
        String replay = run("dlq", "replay", "--integration", integrationId);

        assertThat(replay).contains("2 dead letter(s) replayed for integration " + integrationId);
        JsonNode processed = relay.awaitStatus(first, integrationId, "processed");
        relay.awaitStatus(second, integrationId, "processed");
        assertThat(processed.path("replayed").asBoolean()).isTrue();
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        assertThat(relay.serverA.objects().read(bucket, first + ".pdf")).isNotNull();
        assertThat(relay.deadLetters()).extracting(RelayFixture.DeadLetter::body).containsExactly(garbage);
    }

    @Test
    void replaysEachLetterAtMostOnceEvenWhenItFailsForGoodAgain() throws Exception {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = newId("int");
        S3Server wrongSecret = new S3Server("a", relay.serverA.store(), relay.serverA.objects(), relay.serverA.accessKey(), "still-revoked");
        relay.addIntegrations(integration(integrationId, account, wrongSecret, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));
        relay.awaitStatus(id, integrationId, "failed");

        String replay = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> run("dlq", "replay", "--integration", integrationId));

        assertThat(replay).contains("1 dead letter(s) replayed for integration " + integrationId);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> relay.statusesOf(id).stream()
                .filter(s -> s.path("state").asText().equals("failed") && s.path("replayed").asBoolean()).count() == 1);
        relay.awaitDeadLetter(d -> d.body().contains(id));
    }

    @Test
    void explainsItsUsage() throws Exception {
        assertThat(S3Relay.execute(new String[] {"dlq", "replay"})).isEqualTo(2);
    }

    private static String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new DlqCommand(Settings.load(), new PrintStream(out, true)).run(java.util.Arrays.copyOfRange(args, 1, args.length));
        assertThat(exit).isZero();
        return out.toString();
    }
}
