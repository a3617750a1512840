package io.s3relay.status;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.s3relay.config.ActiveIntegration;
import io.s3relay.upload.UploadPreparer;
import org.apache.camel.Exchange;

/**
 * The relay's own meters, per integration, next to Camel's route metrics on /observe/metrics:
 * {@code s3relay_uploads_total{state=processed|failed}}, {@code s3relay_upload_bytes_total} and
 * {@code s3relay_upload_duration_seconds}. Without a meter registry (metrics disabled) it records nothing.
 */
public class UploadMetrics {

    private final Supplier<MeterRegistry> registry;

    public UploadMetrics(Supplier<MeterRegistry> registry) {
        this.registry = registry;
    }

    /** Called right after the object is stored. */
    public void processed(Exchange exchange) {
        MeterRegistry meters = registry.get();
        if (meters == null) {
            return;
        }
        ActiveIntegration integration = exchange.getProperty(UploadPreparer.INTEGRATION, ActiveIntegration.class);
        String id = integration.id();
        String account = integration.settings().accountId();
        uploads(meters, id, account, "processed").increment();
        Long bytes = exchange.getProperty(UploadPreparer.BYTES, Long.class);
        Counter.builder("s3relay.upload.bytes").description("Bytes of PDF uploaded").baseUnit("bytes")
                .tag("integration", id).tag("account", account).register(meters).increment(bytes == null ? 0 : bytes);
        Long millis = exchange.getProperty(UploadPreparer.MILLIS, Long.class);
        if (millis != null) {
            Timer.builder("s3relay.upload.duration").description("Time to upload one PDF, from key to stored object")
                    .tag("integration", id).tag("account", account).register(meters).record(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** A job that ends failed (integrationId null for a message that never became a job). */
    public void failed(String integrationId, String accountId) {
        MeterRegistry meters = registry.get();
        if (meters != null) {
            uploads(meters, integrationId == null ? "none" : integrationId, accountId == null ? "unknown" : accountId, "failed").increment();
        }
    }

    private static Counter uploads(MeterRegistry meters, String integration, String account, String state) {
        return Counter.builder("s3relay.uploads").description("Uploads that ended, by state")
                .tag("integration", integration).tag("account", account).tag("state", state).register(meters);
    }
}
