package io.s3relay.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import io.s3relay.support.StoreFilling;
import org.apache.activemq.usage.SystemUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker of the default run and the tests: limits that a small disk holds (ActiveMQ's own, a 100 GB store and a
 * 50 GB scheduler store, exceed what a laptop or a test machine has free; the broker then logs a warning at each
 * start and shrinks them to the free space), and room kept for the relay's own sends when upstream fills the store,
 * as in the shipped broker configuration.
 */
class EmbeddedBrokerTest {

    @TempDir
    Path data;

    @Test
    void keepsStoreTempAndSchedulerLimitsThatASmallDiskHolds() throws Exception {
        try (EmbeddedBroker broker = new EmbeddedBroker(data.toFile(), "tcp://127.0.0.1:0").start()) {
            SystemUsage usage = broker.service().getSystemUsage();

            assertThat(usage.getStoreUsage().getLimit()).isEqualTo(EmbeddedBroker.STORE_LIMIT);
            assertThat(usage.getTempUsage().getLimit()).isEqualTo(EmbeddedBroker.TEMP_LIMIT);
            assertThat(usage.getJobSchedulerUsage().getLimit()).isEqualTo(EmbeddedBroker.SCHEDULER_LIMIT);
            assertThat(EmbeddedBroker.STORE_LIMIT + EmbeddedBroker.TEMP_LIMIT + EmbeddedBroker.SCHEDULER_LIMIT)
                    .isLessThanOrEqualTo(8L * 1024 * 1024 * 1024);
            assertThat(broker.service().isSchedulerSupport()).isTrue();
        }
    }

    @Test
    @Timeout(60)
    void holdsUpstreamsSubmissionsBackAtSeventyPercentOfTheStoreWhileTheRelaysOwnSendsStillGoThrough() throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker(data.toFile(), "tcp://127.0.0.1:0", "uploads.in");
        // a store of 100 MiB, to fill it in seconds
        broker.service().getSystemUsage().getStoreUsage().setLimit(100L << 20);
        try (EmbeddedBroker started = broker.start()) {
            StoreFilling filling = new StoreFilling(started.url());

            filling.untilHeldBack("uploads.in", 200);
            int percent = started.service().getSystemUsage().getStoreUsage().getPercentUsage();
            assertThat(percent).as("the store's use when upstream is held back").isBetween(70, 85);

            filling.inOneTransaction(List.of("s3relay.actions", "s3relay.uploads", "s3relay.dlq"), 5);
            assertThat(started.service().getSystemUsage().getStoreUsage().getPercentUsage())
                    .as("the store after the relay's sends").isGreaterThan(percent);
        }
    }
}
