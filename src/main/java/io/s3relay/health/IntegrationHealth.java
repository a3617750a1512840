package io.s3relay.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s3relay.config.ActiveIntegration;
import io.s3relay.copy.Copy;
import io.s3relay.failure.FailureClassifier;
import io.s3relay.failure.FailureHeaders;
import io.s3relay.failure.NotAttemptedException;
import io.s3relay.failure.RetryScheduler;
import io.s3relay.status.UploadMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the platform, once, that an integration's uploads keep failing, and once that it recovered, so that the
 * platform can email its customer: {@code integration_failing} and {@code integration_recovered} events (see
 * {@link #changes}), never one per upload.
 *
 * <p>An episode starts with an integration's first failed attempt after its last successful upload and ends with
 * its next successful upload. It becomes failing when the integration's circuit is open (failures in a row, see
 * IntegrationGuard) or when it has lasted {@code failingAfter} (only failures for that long, e.g. a deleted bucket,
 * whose permanent failures never open the circuit).
 *
 * <p>The episodes are kept in a small JSON file under the data folder, written whenever they changed. The broker
 * cannot say that an integration is failing without a consumer the platform does not run (its events queue is read
 * and emptied), and the meters start again from zero with the process; the file survives a restart (the data
 * folder is a volume in compose), so a restarted relay neither forgets an episode nor announces it a second time,
 * and the 24-hour clock keeps running across restarts. Each relay keeps its own file: relays that share the uploads
 * of one integration each judge the uploads they see.
 */
public class IntegrationHealth {

    public static final String FAILING = "integration_failing";
    public static final String RECOVERED = "integration_recovered";

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationHealth.class);

    private final Function<String, ActiveIntegration> integrations;
    private final Supplier<Collection<ActiveIntegration>> inForce;
    private final Predicate<String> circuitOpen;
    private final UploadMetrics metrics;
    private final Supplier<MeterRegistry> registry;
    private final Duration failingAfter;
    private final Path file;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    /** Episodes in progress, by integration id. */
    private final Map<String, Episode> episodes = new ConcurrentHashMap<>();
    /** Episodes that ended after their failing event went out: their recovered event is still to go out. */
    private final Map<String, Episode> recovered = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> gauges = new HashMap<>();
    private volatile boolean dirty;

    /** One episode of failures; its fields change under its own lock. */
    static final class Episode {
        final String integrationId;
        final String accountId;
        final Instant since;
        Instant lastFailure;
        String lastError;
        long failures;
        String reason;
        boolean announced;
        Instant recoveredAt;

        Episode(String integrationId, String accountId, Instant since) {
            this.integrationId = integrationId;
            this.accountId = accountId;
            this.since = since;
        }
    }

    /**
     * @param integrations the integration in force of an id, or null
     * @param inForce      every integration in force (for the per-integration gauges)
     * @param circuitOpen  whether an integration's circuit is open now
     * @param file         where the episodes are kept across restarts
     */
    public IntegrationHealth(Function<String, ActiveIntegration> integrations,
                             Supplier<Collection<ActiveIntegration>> inForce, Predicate<String> circuitOpen,
                             UploadMetrics metrics, Supplier<MeterRegistry> registry, Duration failingAfter, Path file,
                             Clock clock) {
        this.integrations = integrations;
        this.inForce = inForce;
        this.circuitOpen = circuitOpen;
        this.metrics = metrics;
        this.registry = registry;
        this.failingAfter = failingAfter;
        this.file = file;
        this.clock = clock;
        load();
    }

    /**
     * A failed attempt (route step of the retry, the job made of a failed copy, and the dead letter): counted by
     * error class, and part of its integration's episode. An upload that was not attempted (circuit open, the
     * integration busy) is neither.
     */
    public void failed(Exchange exchange, String errorClass) {
        Throwable failure = RetryScheduler.failure(exchange);
        if (failure instanceof NotAttemptedException) {
            return;
        }
        ActiveIntegration integration = integrationOf(exchange);
        metrics.failure(integration, errorClass);
        if (integration == null) {
            return;
        }
        Instant now = clock.instant();
        Episode episode = episodes.computeIfAbsent(integration.id(),
                id -> new Episode(id, integration.settings().accountId(), now));
        synchronized (episode) {
            episode.failures++;
            // another thread may have begun the episode a moment after this failure's time
            episode.lastFailure = now.isBefore(episode.since) ? episode.since : now;
            episode.lastError = failure == null ? "unknown" : FailureClassifier.describe(failure);
        }
        dirty = true;
    }

    /** A successful upload (route step): its integration's episode, if any, ends. */
    public void uploaded(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        ActiveIntegration integration = copy.getIntegration();
        Episode episode = integration == null ? null : episodes.get(integration.id());
        if (episode == null || !episodes.remove(integration.id(), episode)) {
            return;
        }
        synchronized (episode) {
            if (episode.announced) {
                episode.recoveredAt = clock.instant();
                recovered.put(episode.integrationId, episode);
            }
        }
        dirty = true;
    }

    /**
     * The events due now, as JSON (timer route): a recovered event for each announced episode that ended, a failing
     * event for each episode that became failing. Each is due until {@link #published}, so an event the broker did
     * not take goes out at the next check. Also saves the episodes when they changed.
     */
    public List<String> changes() {
        Instant now = clock.instant();
        registerGauges();
        List<String> events = new ArrayList<>();
        for (Episode episode : recovered.values()) {
            synchronized (episode) {
                events.add(event(RECOVERED, episode, now));
            }
        }
        for (Episode episode : episodes.values()) {
            if (integrations.apply(episode.integrationId) == null) {
                // the integration left the integrations file: nobody to tell
                episodes.remove(episode.integrationId, episode);
                dirty = true;
                continue;
            }
            synchronized (episode) {
                if (episode.announced || recovered.containsKey(episode.integrationId)) {
                    continue;
                }
                boolean open = circuitOpen.test(episode.integrationId);
                if (open || !episode.since.plus(failingAfter).isAfter(now)) {
                    episode.reason = open ? "circuit_open" : "only_failures";
                    events.add(event(FAILING, episode, now));
                }
            }
        }
        if (dirty) {
            save();
        }
        return events;
    }

    /** The event went out (route step after the send): it is not due again. */
    public void published(String event) throws IOException {
        JsonNode json = mapper.readTree(event);
        String integrationId = json.path("integration_id").asText();
        if (RECOVERED.equals(json.path("event").asText())) {
            recovered.remove(integrationId);
            LOG.info("Integration {} of account {} recovered (failing since {})", integrationId,
                    json.path("account_id").asText(), json.path("failing_since").asText());
        } else {
            Episode episode = episodes.get(integrationId);
            String since = json.path("failing_since").asText();
            if (episode != null && episode.since.toString().equals(since)) {
                synchronized (episode) {
                    episode.announced = true;
                }
            } else {
                // the episode ended while its event was on its way: its recovery is due at the next check
                Episode ended = new Episode(integrationId, json.path("account_id").asText(), Instant.parse(since));
                ended.failures = json.path("failures").asLong();
                ended.lastError = json.path("last_error").asText(null);
                ended.announced = true;
                ended.recoveredAt = clock.instant();
                recovered.put(integrationId, ended);
            }
            LOG.warn("Integration {} of account {} is failing since {} ({} failed attempts, {}): {}", integrationId,
                    json.path("account_id").asText(), json.path("failing_since").asText(), json.path("failures").asLong(),
                    json.path("reason").asText(), json.path("last_error").asText());
        }
        save();
    }

    /** Whether an integration's failing event went out and it has not recovered since. */
    public boolean failing(String integrationId) {
        Episode episode = episodes.get(integrationId);
        return episode != null && episode.announced;
    }

    private String event(String type, Episode episode, Instant now) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", type);
        event.put("event_id", UUID.randomUUID().toString());
        event.put("integration_id", episode.integrationId);
        event.put("account_id", episode.accountId);
        event.put("failing_since", episode.since.toString());
        if (RECOVERED.equals(type)) {
            event.put("recovered_at", episode.recoveredAt.toString());
        } else {
            event.put("reason", episode.reason);
        }
        event.put("failures", episode.failures);
        event.put("last_error", episode.lastError);
        event.put("last_failure_at", episode.lastFailure == null ? null : episode.lastFailure.toString());
        event.put("timestamp", now.toString());
        try {
            return mapper.writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ActiveIntegration integrationOf(Exchange exchange) {
        Copy copy = Copy.of(exchange);
        if (copy != null && copy.getIntegration() != null) {
            return copy.getIntegration();
        }
        String id = copy == null ? null : copy.getIntegrationId();
        if (id == null) {
            id = exchange.getMessage().getHeader(FailureHeaders.INTEGRATION_ID, String.class);
        }
        return id == null ? null : integrations.apply(id);
    }

    /** s3relay_integration_circuit_open and s3relay_integration_failing for each integration in force. */
    private synchronized void registerGauges() {
        MeterRegistry meters = registry.get();
        if (meters == null) {
            return;
        }
        Map<String, ActiveIntegration> current = new HashMap<>();
        inForce.get().forEach(integration -> current.put(integration.id() + "\n" + integration.settings().accountId(),
                integration));
        gauges.entrySet().removeIf(entry -> {
            if (current.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(meters::remove);
            return true;
        });
        current.forEach((key, integration) -> gauges.computeIfAbsent(key, k -> List.of(
                Gauge.builder("s3relay.integration.circuit.open", circuitOpen, open -> open.test(integration.id()) ? 1 : 0)
                        .description("1 while the integration's circuit is open (its uploads pause after failures in a row)")
                        .tag("integration", integration.id()).tag("account", integration.settings().accountId())
                        .register(meters),
                Gauge.builder("s3relay.integration.failing", this, health -> health.failing(integration.id()) ? 1 : 0)
                        .description("1 from the integration's integration_failing event to its integration_recovered event")
                        .tag("integration", integration.id()).tag("account", integration.settings().accountId())
                        .register(meters))));
    }

    private record Saved(String integrationId, String accountId, String since, String lastFailure, String lastError,
                         long failures, String reason, boolean announced, String recoveredAt) {
    }

    private synchronized void save() {
        dirty = false;
        List<Saved> saved = new ArrayList<>();
        for (Map<String, Episode> map : List.of(episodes, recovered)) {
            for (Episode e : map.values()) {
                synchronized (e) {
                    saved.add(new Saved(e.integrationId, e.accountId, e.since.toString(),
                            e.lastFailure == null ? null : e.lastFailure.toString(), e.lastError, e.failures, e.reason,
                            e.announced, e.recoveredAt == null ? null : e.recoveredAt.toString()));
                }
            }
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            mapper.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), Map.of("episodes", saved));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            dirty = true;
            LOG.warn("Integration health not saved to {} (tried again at the next check): {}", file, e.toString());
        }
    }

    private void load() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            for (JsonNode node : mapper.readTree(file.toFile()).path("episodes")) {
                Saved s = mapper.treeToValue(node, Saved.class);
                Episode episode = new Episode(s.integrationId(), s.accountId(), Instant.parse(s.since()));
                episode.lastFailure = s.lastFailure() == null ? null : Instant.parse(s.lastFailure());
                episode.lastError = s.lastError();
                episode.failures = s.failures();
                episode.reason = s.reason();
                episode.announced = s.announced();
                episode.recoveredAt = s.recoveredAt() == null ? null : Instant.parse(s.recoveredAt());
                (episode.recoveredAt == null ? episodes : recovered).put(episode.integrationId, episode);
            }
            LOG.info("Integration health read from {}: {} failing episode(s), {} recovery(ies) to announce", file,
                    episodes.size(), recovered.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Integration health not read from {} (starting without it): {}", file, e.toString());
        }
    }
}
