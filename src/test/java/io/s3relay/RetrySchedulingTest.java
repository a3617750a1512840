package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;
import java.util.List;
import java.util.Map;

import io.s3relay.failure.TransientFailureException;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * A retried job waits on the broker's scheduler every time, not only the first time: ActiveMQ marks each message
 * its scheduler delivers, and sends a marked message at once whatever delay it asks for. The upload route's
 * put-object step fails every time; each attempt reaches a mock endpoint first, and the test waits for the third,
 * which the circuit holds back.
 */
class RetrySchedulingTest extends RelayRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.retry.initial-delay", "300",
                "s3relay.retry.max-delay", "1000",
                "s3relay.retry.max-attempts", "100",
                "s3relay.integration.circuit.failures", "2",
                "s3relay.integration.circuit.open-millis", "2000");
    }

    @Test
    void consumesAFailingJobOnlyAsOftenAsItsBackoffAndCircuitAllow() throws Exception {
        AdviceWith.adviceWith(context, "upload", route -> route.weaveById("put-object").replace()
                .to("mock:put-object")
                .throwException(new TransientFailureException("S3 answered 503 SlowDown")));
        context.start();
        MockEndpoint attempts = getMockEndpoint("mock:put-object");
        attempts.expectedMinimumMessageCount(3);
        attempts.setResultWaitTime(15_000);
        String account = newId("acc");
        String integrationId = newId("int");
        addIntegrations(integration(integrationId, account, servers.serverA, servers.newBucket(servers.serverA),
                "path_template: \"{{ submission_id }}.pdf\""));
        // attempt 1 within the submission, attempt 2 as a job after about 300 ms; the circuit then opens for 2 s,
        // so the job's next pass finds it open and waits again, and attempt 3 comes about 2 s after attempt 2
        servers.send(submission(newId("sub"), account, false, servers.pdf(randomPdf(100))));

        attempts.assertIsSatisfied();
        // a message that skips the scheduler comes back hundreds of times in those 2 s
        long consumed = servers.queueStatistics("s3relay.uploads").getDequeues().getCount();
        assertThat(consumed).as("jobs consumed by the third attempt").isBetween(2L, 6L);
        List<Date> at = attempts.getReceivedExchanges().stream()
                .map(e -> e.getProperty(Exchange.RECEIVED_TIMESTAMP, Date.class)).toList();
        assertThat(millisBetween(at.get(0), at.get(1))).as("backoff before attempt 2").isGreaterThanOrEqualTo(240);
        assertThat(millisBetween(at.get(1), at.get(2))).as("circuit open before attempt 3").isGreaterThanOrEqualTo(1900);
    }

    private static long millisBetween(Date from, Date to) {
        return to.getTime() - from.getTime();
    }
}
