package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3relay.failure.NotAttemptedException;
import org.junit.jupiter.api.Test;

/** The bulkhead and circuit breaker that keep one customer's bucket from holding up the others. */
class IntegrationGuardTest {

    @Test
    void letsAnIntegrationHaveAtMostItsUploadsInFlight() {
        IntegrationGuard guard = new IntegrationGuard(2, 5, 30_000, 200);
        guard.acquire("int_a");
        guard.acquire("int_a");
        assertThatThrownBy(() -> guard.acquire("int_a")).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("already has 2 uploads in flight")
                .satisfies(e -> assertThat(((NotAttemptedException) e).retryAfterMillis()).isEqualTo(200));
        assertThatCode(() -> guard.acquire("int_b")).doesNotThrowAnyException();
        guard.release("int_a");
        assertThatCode(() -> guard.acquire("int_a")).doesNotThrowAnyException();
    }

    @Test
    void opensTheCircuitAfterTransientFailuresInARowAndClosesItOnSuccess() {
        IntegrationGuard guard = new IntegrationGuard(4, 3, 30_000, 200);
        guard.failed("int_a");
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isFalse();
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isTrue();
        assertThatThrownBy(() -> guard.acquire("int_a")).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("failed 3 times in a row");
        assertThatCode(() -> guard.acquire("int_b")).doesNotThrowAnyException();
        guard.succeeded("int_a");
        assertThat(guard.isOpen("int_a")).isFalse();
    }

    @Test
    void closesTheCircuitByItselfWhenTheOpenPeriodIsOver() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(4, 1, 50, 200);
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isTrue();
        Thread.sleep(120);
        assertThatCode(() -> guard.acquire("int_a")).doesNotThrowAnyException();
    }
}
