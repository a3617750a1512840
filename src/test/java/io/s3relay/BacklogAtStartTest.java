package io.s3relay;

import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A relay that starts into a backlog: every consumer makes its first upload to the same bucket at once. The backlog
 * is on the broker before the test starts the relay's context.
 */
class BacklogAtStartTest extends RelayRouteTestSupport {

    @RepeatedTest(3)
    void uploadsABacklogQueuedBeforeTheRelayStarted() {
        Tenant tenant = tenant(servers.serverA, "path_template: \"{{ submission_id }}.pdf\"");
        String pdf = servers.pdf(randomPdf(1_000));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(newId("sub"));
            servers.send(submission(ids.get(i), tenant.account(), false, pdf));
        }

        context.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> servers.statusesOf(id).stream()
                .anyMatch(s -> s.path("state").asText().equals("processed"))));
        assertThat(ids).allSatisfy(id -> assertThat(servers.serverA.objects().read(tenant.bucket(), id + ".pdf")).isNotNull());
    }
}
