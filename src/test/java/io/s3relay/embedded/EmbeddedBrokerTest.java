package io.s3relay.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.apache.activemq.usage.SystemUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker of the default run and the tests fits a small disk: ActiveMQ's own limits (a 100 GB store, a 50 GB
 * scheduler store) exceed what a laptop or a test machine has free, and the broker then logs a warning at each start
 * and shrinks them to the free space. The embedded broker asks for a few GB, and keeps what it asked for.
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
}
