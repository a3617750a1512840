package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.command.DlqCommand;
import io.s3relay.command.Settings;
import io.s3relay.config.IntegrationRegistry;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.S3Server;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An operator lists the dead letters, fixes the cause and replays them: they complete, marked as replayed. On the
 * test kit with one relay for the class (no test advises a route); the dlq command runs in this JVM against the
 * class's broker, and waits are NotifyBuilder conditions on the routes that take the messages and their replays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterReplayTest extends RelayRouteTestSupport {

    @BeforeAll
    void pointTheCommandLineAtTheBroker() {
        System.setProperty("s3relay.broker.url", servers.broker.url());
    }

    @AfterAll
    void forgetTheBroker() {
        System.clearProperty("s3relay.broker.url");
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    private NotifyBuilder deadLettered(int count) {
        return new NotifyBuilder(context).wereSentTo("direct:dead-letter").whenDone(count).create();
    }

    @Test
    void replaysTheDeadLettersOfAnIntegrationOnceItsCredentialsAreFixed() throws Exception {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = newId("int");
        S3Server wrongSecret = new S3Server("a", servers.serverA.store(), servers.serverA.objects(), servers.serverA.accessKey(), "revoked");
        String template = "path_template: \"{{ submission_id }}.pdf\"";
        addIntegrations(integration(integrationId, account, wrongSecret, bucket, template));
        String first = newId("sub");
        String second = newId("sub");
        String garbage = "not json " + newId("x");
        NotifyBuilder allDeadLettered = deadLettered(3);
        servers.send(submission(first, account, false, servers.pdf(randomPdf(100))));
        servers.send(submission(second, account, false, servers.pdf(randomPdf(100))));
        servers.send(garbage);
        assertThat(allDeadLettered.matches(30, TimeUnit.SECONDS)).isTrue();
        servers.awaitStatus(first, integrationId, "failed");
        servers.awaitStatus(second, integrationId, "failed");
        servers.awaitDeadLetter(d -> d.body().equals(garbage));

        String listing = run("dlq", "list");
        assertThat(listing).contains("integration=" + integrationId).contains("SignatureDoesNotMatch")
                .contains(first).contains(second).doesNotContain("revoked");

        servers.writeIntegrationsFile("integrations:\n" + integration(integrationId, account, servers.serverA, bucket, template));
        context.getRegistry().lookupByNameAndType("integrations", IntegrationRegistry.class).reload();
        NotifyBuilder replayed = new NotifyBuilder(context).fromRoute("uploads").whenCompleted(2).create();
        String replay = run("dlq", "replay", "--integration", integrationId);

        assertThat(replayed.matches(30, TimeUnit.SECONDS)).as("both replays uploaded by the uploads route").isTrue();
        assertThat(replay).contains("2 dead letter(s) replayed for integration " + integrationId);
        JsonNode processed = servers.awaitStatus(first, integrationId, "processed");
        servers.awaitStatus(second, integrationId, "processed");
        assertThat(processed.path("replayed").asBoolean()).isTrue();
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        assertThat(servers.serverA.objects().read(bucket, first + ".pdf")).isNotNull();
        assertThat(servers.deadLetters()).extracting(RelayFixture.DeadLetter::body).containsExactly(garbage);
    }

    @Test
    void replaysEachLetterAtMostOnceEvenWhenItFailsForGoodAgain() throws Exception {
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        String integrationId = newId("int");
        S3Server wrongSecret = new S3Server("a", servers.serverA.store(), servers.serverA.objects(), servers.serverA.accessKey(), "still-revoked");
        addIntegrations(integration(integrationId, account, wrongSecret, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder failed = deadLettered(1);
        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));
        assertThat(failed.matches(30, TimeUnit.SECONDS)).isTrue();
        servers.awaitStatus(id, integrationId, "failed");
        NotifyBuilder failedAgain = new NotifyBuilder(context).fromRoute("uploads").wereSentTo("direct:dead-letter")
                .whenDone(1).create();

        String replay = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> run("dlq", "replay", "--integration", integrationId));

        assertThat(replay).contains("1 dead letter(s) replayed for integration " + integrationId);
        assertThat(failedAgain.matches(30, TimeUnit.SECONDS)).as("the replay dead-lettered again").isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> servers.statusesOf(id).stream()
                .filter(s -> s.path("state").asText().equals("failed") && s.path("replayed").asBoolean()).count() == 1);
        servers.awaitDeadLetter(d -> d.body().contains(id));
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
