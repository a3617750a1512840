package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** How the places of a pool of upload threads are shared among the holders (accounts, integrations) with work. */
class FairShareTest {

    @Test
    void letsAnIntegrationAloneWithWorkUseEveryPlace() {
        FairShare pool = new FairShare(8, 0);
        for (int i = 0; i < 8; i++) {
            assertThat(pool.take("int_a", false, 0)).as("place %d", i + 1).isTrue();
        }
        assertThat(pool.take("int_a", false, 0)).as("a ninth: the pool has eight").isFalse();
    }

    @Test
    void keepsTheReservedPlacesFreeForTheNextAccount() {
        FairShare pool = new FairShare(8, 1);
        for (int i = 0; i < 7; i++) {
            assertThat(pool.take("int_a", false, 0)).isTrue();
        }
        assertThat(pool.take("int_a", false, 0)).as("the reserved place").isFalse();
        assertThat(pool.take("int_b", false, 0)).as("another account's copy takes it").isTrue();
    }

    @Test
    void sharesThePlacesEquallyAmongTheIntegrationsWithWork() {
        FairShare pool = new FairShare(8, 0);
        assertThat(pool.take("int_b", false, 0)).isTrue();
        int a = 0;
        while (pool.take("int_a", false, 0)) {
            a++;
        }
        assertThat(a).as("with int_b in flight, int_a gets half").isEqualTo(4);
        assertThat(pool.shareOf("int_c", false)).as("a third integration would make it thirds").isEqualTo(3);
    }

    @Test
    void givesAnIntegrationMorePlacesAsTheOthersFinish() {
        FairShare pool = new FairShare(8, 0);
        pool.take("int_b", false, 0);
        for (int i = 0; i < 4; i++) {
            pool.take("int_a", false, 0);
        }
        assertThat(pool.take("int_a", false, 0)).isFalse();
        pool.give("int_b", false);
        assertThat(pool.take("int_a", false, 0)).as("int_a is alone again").isTrue();
    }

    @Test
    void neverGivesASlowOrFailingIntegrationMoreThanHalf() {
        FairShare pool = new FairShare(8, 0);
        int taken = 0;
        while (pool.take("int_stalling", true, 1_000)) {
            taken++;
        }
        assertThat(taken).as("alone, but limited").isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(pool.take("int_healthy", false, 0)).isTrue();
        }
    }

    @Test
    void neverGivesSlowOrFailingIntegrationsMoreThanHalfAllTogether() {
        FairShare pool = new FairShare(8, 0);
        assertThat(pool.take("int_stalling", true, 0)).isTrue();
        assertThat(pool.take("int_stalling", true, 0)).isTrue();
        assertThat(pool.take("int_503", true, 0)).isTrue();
        assertThat(pool.take("int_503", true, 0)).isTrue();
        assertThat(pool.take("int_503", true, 0)).as("a fifth place for the failing ones").isFalse();
        for (int i = 0; i < 3; i++) {
            assertThat(pool.take("int_healthy", false, 0)).as("the healthy integration's place %d of its third", i + 1)
                    .isTrue();
        }
        pool.give("int_stalling", true);
        assertThat(pool.take("int_503", true, 0)).as("a failing one's place freed").isTrue();
    }

    @Test
    void aThreadAtItsIntegrationsShareWaitsForOneOfItsPlaces() throws Exception {
        FairShare pool = new FairShare(2, 0);
        pool.take("int_b", false, 0);
        assertThat(pool.take("int_a", false, 0)).isTrue();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> pool.take("int_a", false, 5_000));
        Thread.sleep(100);
        assertThat(waiting).as("int_a has its share: one of two").isNotDone();
        pool.give("int_a", false);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("it took the place its integration gave back").isTrue();
    }

    @Test
    void aSlowOrFailingIntegrationsThreadDoesNotWait() {
        FairShare pool = new FairShare(2, 0);
        pool.take("int_a", true, 0);
        long started = System.nanoTime();
        assertThat(pool.take("int_a", true, 60_000)).isFalse();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void letsAtMostHalfAShareOfThreadsWaitForOneIntegration() throws Exception {
        FairShare pool = new FairShare(4, 0);
        pool.take("int_b", false, 0);
        pool.take("int_a", false, 0);
        pool.take("int_a", false, 0);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> pool.take("int_a", false, 5_000));
        Thread.sleep(100);
        long started = System.nanoTime();
        assertThat(pool.take("int_a", false, 5_000)).as("a second waiter is told no at once").isFalse();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(2));
        pool.give("int_a", false);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    }
}
