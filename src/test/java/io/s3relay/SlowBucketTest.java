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

import io.s3relay.support.RelayFixture;
import io.s3relay.support.SlowProxy;
import org.junit.jupiter.api.Test;

/**
 * A tenant whose buckets answer, but only after seconds, never holds the consumers that every account shares: a
 * healthy tenant's submission sent behind its backlog is uploaded within a few seconds, and every slow copy is
 * still stored.
 */
class SlowBucketTest {

    static final long ANSWER_DELAY_MILLIS = 1500;

    @Test
    void aSlowButAnsweringTenantDoesNotStarveAHealthyOne() throws Exception {
        try (RelayFixture relay = RelayFixture.start(Map.of("s3relay.integration.slow-upload-millis", "1000"));
             SlowProxy slow = new SlowProxy(relay.serverA.store().endpoint().getPort(), ANSWER_DELAY_MILLIS)) {
            String slowAccount = newId("acc");
            String healthyAccount = newId("acc");
            String slowBucket1 = relay.newBucket(relay.serverA);
            String slowBucket2 = relay.newBucket(relay.serverA);
            String healthyBucket = relay.newBucket(relay.serverA);
            String template = "path_template: \"{{ submission_id }}.pdf\"";
            relay.addIntegrations(
                    integration("int_slow_1", slowAccount, relay.serverA, slow.endpoint(), slowBucket1, template),
                    integration("int_slow_2", slowAccount, relay.serverA, slow.endpoint(), slowBucket2, template),
                    integration("int_healthy", healthyAccount, relay.serverA, healthyBucket, template));
            String pdf = relay.pdf(randomPdf(5_000));
            List<String> backlog = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                backlog.add(newId("sub"));
                relay.send(submission(backlog.get(i), slowAccount, false, pdf));
            }
            String healthy = newId("sub");

            long sent = System.nanoTime();
            relay.send(submission(healthy, healthyAccount, false, pdf));
            relay.awaitStatus(healthy, "int_healthy", "processed");
            double seconds = (System.nanoTime() - sent) / 1e9;

            System.out.printf("slow bucket: a healthy tenant's upload behind 24 submissions (48 copies) of a tenant whose"
                    + " buckets answer after %d ms: %.1f s%n", ANSWER_DELAY_MILLIS, seconds);
            // the slow tenant's backlog takes 18 s on the 8 consumers it would hold: the healthy upload waits for
            // the first wave of slow copies at most
            assertThat(seconds).isLessThan(9.0);
            await().atMost(Duration.ofSeconds(90)).until(() -> backlog.stream().allMatch(id ->
                    relay.statusesOf(id).stream().filter(s -> s.path("state").asText().equals("processed")).count() == 2));
            assertThat(relay.serverA.objects().read(slowBucket2, backlog.get(23) + ".pdf")).isNotNull();
        }
    }
}
