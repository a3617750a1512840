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
        long first = guard.acquire("int_a");
        guard.acquire("int_a");
        assertThatThrownBy(() -> guard.acquire("int_a")).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("already has 2 uploads in flight")
                .satisfies(e -> assertThat(((NotAttemptedException) e).retryAfterMillis()).isEqualTo(200));
        assertThatCode(() -> guard.acquire("int_b")).doesNotThrowAnyException();
        guard.release("int_a", first);
        assertThatCode(() -> guard.acquire("int_a")).doesNotThrowAnyException();
    }

    @Test
    void waitsBrieflyForAPlaceWhileTheIntegrationsUploadsSucceed() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(1, 5, 30_000, 200, 5_000);
        guard.release("int_a", guard.acquire("int_a"));
        guard.succeeded("int_a");
        long held = guard.acquire("int_a");
        java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(
                () -> guard.acquire("int_a"));
        Thread.sleep(100);
        assertThat(second).isNotDone();
        guard.release("int_a", held);
        // the waiting job takes the freed place instead of going back to its queue
        assertThatCode(() -> second.get(5, java.util.concurrent.TimeUnit.SECONDS)).doesNotThrowAnyException();
    }

    @Test
    void sendsAJobBackAtOnceWhenNoUploadOfItsIntegrationHasSucceededLately() {
        IntegrationGuard guard = new IntegrationGuard(1, 5, 30_000, 200, 60_000);
        // a stalling bucket: its place is taken and nothing of it has succeeded
        guard.acquire("int_a");
        long started = System.nanoTime();
        assertThatThrownBy(() -> guard.acquire("int_a")).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("already has 1 uploads in flight");
        // it did not wait the minute it may wait for a moving integration
        assertThat(System.nanoTime() - started).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
        // failures do not count as moving
        guard.failed("int_a");
        assertThatThrownBy(() -> guard.acquire("int_a")).isInstanceOf(NotAttemptedException.class);
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

    @Test
    void uploadsWithinTheSubmissionUntilAnUploadFailsAndAgainOnceOneSucceeds() {
        IntegrationGuard guard = new IntegrationGuard(2, 5, 30_000, 200);
        assertThat(guard.healthy("int_a")).as("never tried").isTrue();
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).as("one failure of five").isFalse();
        assertThat(guard.healthy("int_a")).isFalse();
        assertThat(guard.healthy("int_b")).as("another integration").isTrue();
        long ticket = guard.acquire("int_a");
        guard.succeeded("int_a");
        guard.release("int_a", ticket);
        assertThat(guard.healthy("int_a")).isTrue();
    }

    @Test
    void keepsCopiesOutOfTheSubmissionWhileTheCircuitIsOpen() {
        IntegrationGuard guard = new IntegrationGuard(2, 1, 30_000, 200);
        long ticket = guard.acquire("int_a");
        guard.succeeded("int_a");
        guard.release("int_a", ticket);
        guard.failed("int_a");
        guard.acquire("int_b");
        guard.succeeded("int_b");
        // int_a's failure is its latest outcome and its circuit is open; int_b's success does not help it
        assertThat(guard.isOpen("int_a")).isTrue();
        assertThat(guard.healthy("int_a")).isFalse();
        assertThat(guard.healthy("int_b")).isTrue();
    }

    @Test
    void keepsCopiesOutOfTheSubmissionWhileTheIntegrationIsSlow() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(4, 5, 30_000, 200, 0, 100);
        long ticket = guard.acquire("int_a");
        assertThat(guard.healthy("int_a")).as("an upload in flight for less than the slow time").isTrue();
        Thread.sleep(150);
        assertThat(guard.healthy("int_a")).as("an upload in flight for longer").isFalse();
        guard.succeeded("int_a", 150);
        guard.release("int_a", ticket);
        assertThat(guard.healthy("int_a")).as("its last upload was slow").isFalse();
        guard.release("int_a", guard.acquire("int_a"));
        guard.succeeded("int_a", 20);
        assertThat(guard.healthy("int_a")).as("quick again").isTrue();
    }
}
