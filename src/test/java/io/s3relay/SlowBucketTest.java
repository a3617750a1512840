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
import java.util.Map;

import io.s3relay.support.RelayRouteTestSupport;
import io.s3relay.support.SlowProxy;
import org.junit.jupiter.api.Test;

/**
 * A tenant whose buckets answer, but only after seconds, never holds the consumers that every account shares: a
 * healthy tenant's submission sent behind its backlog is uploaded within a few seconds, and every slow copy is
 * still stored. The slow buckets are a real S3 server behind a proxy that holds each answer back.
 */
class SlowBucketTest extends RelayRouteTestSupport {

    static final long ANSWER_DELAY_MILLIS = 1500;

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.integration.slow-upload-millis", "1000");
    }

    @Test
    void aSlowButAnsweringTenantDoesNotStarveAHealthyOne() throws Exception {
        context.start();
        try (SlowProxy slow = new SlowProxy(servers.serverA.store().endpoint().getPort(), ANSWER_DELAY_MILLIS)) {
            String slowAccount = newId("acc");
            String slowBucket1 = servers.newBucket(servers.serverA);
            String slowBucket2 = servers.newBucket(servers.serverA);
            addIntegrations(
                    integration("int_slow_1", slowAccount, servers.serverA, slow.endpoint(), slowBucket1, TEMPLATE),
                    integration("int_slow_2", slowAccount, servers.serverA, slow.endpoint(), slowBucket2, TEMPLATE));
            Tenant healthy = tenant(servers.serverA, TEMPLATE);
            String pdf = servers.pdf(randomPdf(5_000));
            List<String> backlog = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                backlog.add(newId("sub"));
                servers.send(submission(backlog.get(i), slowAccount, false, pdf));
            }
            String behind = newId("sub");

            long sent = System.nanoTime();
            servers.send(submission(behind, healthy.account(), false, pdf));
            servers.awaitStatus(behind, healthy.integration(), "processed");
            double seconds = (System.nanoTime() - sent) / 1e9;

            System.out.printf("slow bucket: a healthy tenant's upload behind 24 submissions (48 copies) of a tenant whose"
                    + " buckets answer after %d ms: %.1f s%n", ANSWER_DELAY_MILLIS, seconds);
            // the slow tenant's backlog takes 18 s on the 8 consumers it would hold: the healthy upload waits for
            // the first wave of slow copies at most
            assertThat(seconds).isLessThan(9.0);
            await().atMost(Duration.ofSeconds(90)).until(() -> backlog.stream().allMatch(id ->
                    servers.statusesOf(id).stream().filter(s -> s.path("state").asText().equals("processed")).count() == 2));
            assertThat(servers.serverA.objects().read(slowBucket2, backlog.get(23) + ".pdf")).isNotNull();
        }
    }
}
