package io.s3relay.status;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.s3relay.config.ActiveIntegration;
import io.s3relay.copy.Copy;
import org.apache.camel.ExchangeProperty;

/**
 * The relay's own meters, per integration, next to Camel's route metrics on /observe/metrics:
 * {@code s3relay_uploads_total{state=processed|failed}}, {@code s3relay_upload_bytes_total},
 * {@code s3relay_upload_duration_seconds} (a histogram, for percentiles across relays) and
 * {@code s3relay_upload_failures_total{error_class}} (every failed attempt, by what became of it). Without a meter
 * registry (metrics disabled) it records nothing.
 */
public class UploadMetrics {

    private final Supplier<MeterRegistry> registry;
    /** The meters of each integration's uploads, found once: every upload counts, so no registry lookup per upload. */
    private final Map<Series, Processed> processed = new ConcurrentHashMap<>();
    private final Map<Failures, Counter> failures = new ConcurrentHashMap<>();

    /**
     * Buckets of the upload-duration histogram: from a small PDF on a near bucket to a large multipart upload near
     * the call timeout. Fixed and few, so each integration adds a bounded number of series.
     */
    static final Duration[] DURATION_BUCKETS = Stream.of(10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
            60_000, 120_000, 300_000, 600_000).map(Duration::ofMillis).toArray(Duration[]::new);
    private volatile MeterRegistry resolved;

    private final Function<String, ActiveIntegration> integrations;

    /** @param integrations the integrations in force: only their ids and accounts become labels */
    public UploadMetrics(Supplier<MeterRegistry> registry, Function<String, ActiveIntegration> integrations) {
        this.registry = registry;
        this.integrations = integrations;
    }

    /** Called right after the object is stored. */
    public void processed(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        MeterRegistry meters = meters();
        if (meters == null) {
            return;
        }
        ActiveIntegration integration = copy.getIntegration();
        Processed series = processed.computeIfAbsent(new Series(integration.id(), integration.settings().accountId()),
                s -> new Processed(meters, s));
        series.uploads.increment();
        Long bytes = copy.getBytes();
        series.bytes.increment(bytes == null ? 0 : bytes);
        Long millis = copy.getMillis();
        if (millis != null) {
            series.duration.record(millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A job that ends failed (integrationId null for a message that never became a job). The labels are those of
     * an integration in force that the account owns, or "none"/"unknown": ids that upstream made up never become
     * a time series of their own, so the number of series stays bounded by the integrations file.
     */
    public void failed(String integrationId, String accountId) {
        MeterRegistry meters = meters();
        if (meters != null) {
            ActiveIntegration integration = integrationId == null ? null : integrations.apply(integrationId);
            boolean known = integration != null && integration.settings().accountId().equals(accountId);
            uploads(meters, known ? integrationId : "none", known ? accountId : "unknown", "failed").increment();
        }
    }

    /**
     * One failed attempt of an upload (or of a message that never became one), by error class: {@code transient}
     * (retried), {@code permanent} or {@code retries-exhausted} (dead-lettered). Labelled like {@link #failed}.
     *
     * @param integration the integration in force, or null
     */
    public void failure(ActiveIntegration integration, String errorClass) {
        MeterRegistry meters = meters();
        if (meters == null) {
            return;
        }
        Failures series = new Failures(integration == null ? "none" : integration.id(),
                integration == null ? "unknown" : integration.settings().accountId(),
                errorClass == null || errorClass.isBlank() ? "unknown" : errorClass);
        failures.computeIfAbsent(series, f -> Counter.builder("s3relay.upload.failures")
                .description("Failed upload attempts, by error class: transient (retried), permanent, retries-exhausted")
                .tag("integration", f.integration()).tag("account", f.account()).tag("error_class", f.errorClass())
                .register(meters)).increment();
    }

    /** The registry, looked up until there is one (Camel binds it once, while the relay starts). */
    private MeterRegistry meters() {
        MeterRegistry current = resolved;
        if (current == null) {
            current = registry.get();
            resolved = current;
        }
        return current;
    }

    private static Counter uploads(MeterRegistry meters, String integration, String account, String state) {
        return Counter.builder("s3relay.uploads").description("Uploads that ended, by state")
                .tag("integration", integration).tag("account", account).tag("state", state).register(meters);
    }

    private record Series(String integration, String account) {
    }

    private record Failures(String integration, String account, String errorClass) {
    }

    /** One integration's meters of stored objects. */
    private static final class Processed {
        final Counter uploads;
        final Counter bytes;
        final Timer duration;

        Processed(MeterRegistry meters, Series series) {
            uploads = uploads(meters, series.integration(), series.account(), "processed");
            bytes = Counter.builder("s3relay.upload.bytes").description("Bytes of PDF uploaded").baseUnit("bytes")
                    .tag("integration", series.integration()).tag("account", series.account()).register(meters);
            duration = Timer.builder("s3relay.upload.duration").description("Time to upload one PDF, from key to stored object")
                    .tag("integration", series.integration()).tag("account", series.account())
                    .serviceLevelObjectives(DURATION_BUCKETS).register(meters);
        }
    }
}
