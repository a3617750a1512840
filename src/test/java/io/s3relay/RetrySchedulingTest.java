package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A retried job waits on the broker's scheduler every time, not only the first time: ActiveMQ marks each message
 * its scheduler delivers, and sends a marked message at once whatever delay it asks for.
 */
class RetrySchedulingTest {

    @RegisterExtension
    static final RelayFixture relay = RelayFixture.forTestClass(Map.of(
                "s3relay.retry.initial-delay", "300",
                "s3relay.retry.max-delay", "1000",
                "s3relay.retry.max-attempts", "100",
                "s3relay.integration.circuit.failures", "2",
                "s3relay.integration.circuit.open-millis", "2000"));

    @Test
    void consumesAFailingJobOnlyAsOftenAsItsBackoffAndCircuitAllow() throws Exception {
        String account = newId("acc");
        String integrationId = newId("int");
        relay.addIntegrations(integration(integrationId, account, relay.serverA, "http://127.0.0.1:" + RelayFixture.freePort(),
                "nowhere", "path_template: \"{{ submission_id }}.pdf\""));
        relay.send(submission(newId("sub"), account, false, relay.pdf(randomPdf(100))));

        Thread.sleep(6000);

        // In 6 s: attempts at about 0, 0.3 and 2.3 s (the circuit opens after the second failure for 2 s), and at
        // most a few "circuit still open" passes. A message that skips the scheduler comes back hundreds of times.
        long consumed = relay.queueStatistics("s3relay.uploads").getDequeues().getCount();
        assertThat(consumed).isBetween(2L, 12L);
    }
}
