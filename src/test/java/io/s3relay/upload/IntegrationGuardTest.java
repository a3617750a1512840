package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3relay.failure.NotAttemptedException;
import org.junit.jupiter.api.Test;

/** The fair shares and the circuit breaker that keep one customer's bucket from holding up the others. */
class IntegrationGuardTest {

    private static final boolean WITHIN_SUBMISSION = true;
    private static final boolean AS_A_JOB = false;

    @Test
    void sendsACopyBeyondItsShareWithinSubmissionsAsAJobAfterAShortWait() {
        IntegrationGuard guard = new IntegrationGuard(3, 8, 5, 30_000, 5_000);
        guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION);
        guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION);
        assertThatThrownBy(() -> guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION)).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("account acc_int_a has its share of uploads in flight (2 within submissions)")
                .satisfies(e -> assertThat(((NotAttemptedException) e).retryAfterMillis()).isZero());
        assertThatCode(() -> guard.acquire("int_a", "acc_int_a", AS_A_JOB)).as("the jobs' pool").doesNotThrowAnyException();
        assertThatCode(() -> guard.acquire("int_b", "acc_int_b", WITHIN_SUBMISSION)).as("the place kept for another account")
                .doesNotThrowAnyException();
    }

    @Test
    void sharesTheSubmissionConsumersByAccountSoThatOneSubmissionsCopiesNeverCrowdEachOtherOut() {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 5, 30_000, 5_000);
        // eight consumers each uploading one of the three copies of its own submission of one account
        for (int i = 0; i < 7; i++) {
            String integration = "int_" + (i % 3);
            assertThatCode(() -> guard.acquire(integration, "acc_one", WITHIN_SUBMISSION)).as("copy %d", i + 1)
                    .doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> guard.acquire("int_0", "acc_one", WITHIN_SUBMISSION)).as("the place kept for another account")
                .isInstanceOf(NotAttemptedException.class);
        assertThatCode(() -> guard.acquire("int_x", "acc_two", WITHIN_SUBMISSION)).doesNotThrowAnyException();
    }

    @Test
    void sendsASlowIntegrationsJobBeyondHalfTheJobConsumersBackToTheBroker() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(8, 4, 5, 30_000, 100);
        guard.acquire("int_a", "acc_int_a", AS_A_JOB);
        Thread.sleep(150);
        assertThat(guard.healthy("int_a")).as("an upload in flight for longer than the slow time").isFalse();
        guard.acquire("int_a", "acc_int_a", AS_A_JOB);
        long started = System.nanoTime();
        assertThatThrownBy(() -> guard.acquire("int_a", "acc_int_a", AS_A_JOB)).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("as a slow or failing integration")
                .satisfies(e -> assertThat(((NotAttemptedException) e).retryAfterMillis())
                        .isEqualTo(IntegrationGuard.NO_PLACE_RETRY_MILLIS));
        assertThat(System.nanoTime() - started).as("told at once").isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
        assertThatCode(() -> guard.acquire("int_b", "acc_int_b", AS_A_JOB)).doesNotThrowAnyException();
    }

    @Test
    void givesAPlaceBackWithItsTicket() {
        IntegrationGuard guard = new IntegrationGuard(2, 8, 5, 30_000, 5_000);
        long ticket = guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION);
        assertThatThrownBy(() -> guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION)).isInstanceOf(NotAttemptedException.class);
        guard.release("int_a", ticket);
        guard.release("int_a", ticket);
        assertThatCode(() -> guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.acquire("int_a", "acc_int_a", WITHIN_SUBMISSION)).as("a ticket gives back one place once")
                .isInstanceOf(NotAttemptedException.class);
    }

    @Test
    void opensTheCircuitAfterTransientFailuresInARowAndClosesItOnSuccess() {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 3, 30_000, 5_000);
        guard.failed("int_a");
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isFalse();
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isTrue();
        assertThatThrownBy(() -> guard.acquire("int_a", "acc_int_a", AS_A_JOB)).isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("failed 3 times in a row");
        assertThatCode(() -> guard.acquire("int_b", "acc_int_b", AS_A_JOB)).doesNotThrowAnyException();
        guard.succeeded("int_a", 20);
        assertThat(guard.isOpen("int_a")).isFalse();
    }

    @Test
    void closesTheCircuitByItselfWhenTheOpenPeriodIsOver() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 1, 50, 5_000);
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).isTrue();
        Thread.sleep(120);
        assertThatCode(() -> guard.acquire("int_a", "acc_int_a", AS_A_JOB)).doesNotThrowAnyException();
    }

    @Test
    void uploadsWithinTheSubmissionUntilAnUploadFailsAndAgainOnceOneSucceeds() {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 5, 30_000, 5_000);
        assertThat(guard.healthy("int_a")).as("never tried").isTrue();
        guard.failed("int_a");
        assertThat(guard.isOpen("int_a")).as("one failure of five").isFalse();
        assertThat(guard.healthy("int_a")).isFalse();
        assertThat(guard.healthy("int_b")).as("another integration").isTrue();
        long ticket = guard.acquire("int_a", "acc_int_a", AS_A_JOB);
        guard.succeeded("int_a", 20);
        guard.release("int_a", ticket);
        assertThat(guard.healthy("int_a")).isTrue();
    }

    @Test
    void keepsCopiesOutOfTheSubmissionWhileTheCircuitIsOpen() {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 1, 30_000, 5_000);
        long ticket = guard.acquire("int_a", "acc_int_a", AS_A_JOB);
        guard.succeeded("int_a", 20);
        guard.release("int_a", ticket);
        guard.failed("int_a");
        guard.acquire("int_b", "acc_int_b", AS_A_JOB);
        guard.succeeded("int_b", 20);
        // int_a's failure is its latest outcome and its circuit is open; int_b's success does not help it
        assertThat(guard.isOpen("int_a")).isTrue();
        assertThat(guard.healthy("int_a")).isFalse();
        assertThat(guard.healthy("int_b")).isTrue();
    }

    @Test
    void keepsCopiesOutOfTheSubmissionWhileTheIntegrationIsSlow() throws Exception {
        IntegrationGuard guard = new IntegrationGuard(8, 8, 5, 30_000, 100);
        long ticket = guard.acquire("int_a", "acc_int_a", AS_A_JOB);
        assertThat(guard.healthy("int_a")).as("an upload in flight for less than the slow time").isTrue();
        Thread.sleep(150);
        assertThat(guard.healthy("int_a")).as("an upload in flight for longer").isFalse();
        guard.succeeded("int_a", 150);
        guard.release("int_a", ticket);
        assertThat(guard.healthy("int_a")).as("its last upload was slow").isFalse();
        guard.release("int_a", guard.acquire("int_a", "acc_int_a", AS_A_JOB));
        guard.succeeded("int_a", 20);
        assertThat(guard.healthy("int_a")).as("quick again").isTrue();
    }
}
