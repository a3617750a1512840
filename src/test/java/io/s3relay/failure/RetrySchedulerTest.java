package io.s3relay.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;

import io.s3relay.upload.IntegrationGuard;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** When a failure stops being retried. */
class RetrySchedulerTest {

    private final RetryScheduler retries = new RetryScheduler(new Backoff(1000, 2, 300_000, 20, 0.15),
            new IntegrationGuard(8, 8, 5, 30_000, 5_000), Clock.systemUTC());

    @Test
    void retriesAFailureItCannotJudgeThreeTimesNotForAnHour() {
        assertThat(retries.isTerminal(attempt(2, new NullPointerException("a defect")))).isFalse();
        assertThat(retries.isTerminal(attempt(3, new NullPointerException("a defect")))).isTrue();
        assertThat(retries.isTerminal(attempt(3, new IllegalStateException("wrapped", new IOException("reset"))))).isFalse();
        assertThat(retries.isTerminal(attempt(19, new IOException("reset")))).isFalse();
        assertThat(retries.isTerminal(attempt(20, new IOException("reset")))).isTrue();
    }

    private static Exchange attempt(int attempt, Exception failure) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(FailureHeaders.ATTEMPT, attempt);
        exchange.setException(failure);
        return exchange;
    }
}
