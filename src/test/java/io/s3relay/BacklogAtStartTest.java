package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A relay that starts into a backlog: every consumer makes its first upload to the same bucket at once. */
class BacklogAtStartTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass();

    @RepeatedTest(3)
    void uploadsABacklogQueuedBeforeTheRelayStarted() {
        String account = newId("acc");
        String bucket = relay.newBucket(relay.serverA);
        String integrationId = "int_" + account;
        relay.addIntegrations(integration(integrationId, account, relay.serverA, bucket, "path_template: \"{{ submission_id }}.pdf\""));
        String pdf = relay.pdf(randomPdf(1_000));
        relay.stopRelay();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(newId("sub"));
            relay.send(submission(ids.get(i), account, false, pdf));
        }

        relay.startRelay();

        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> relay.statusesOf(id).stream()
                .anyMatch(s -> s.path("state").asText().equals("processed"))));
        assertThat(ids).allSatisfy(id -> assertThat(relay.serverA.objects().read(bucket, id + ".pdf")).isNotNull());
    }
}
