package io.s3relay.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.s3relay.keys.InvalidKeyException;
import io.s3relay.keys.PathTemplate;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.keys.PathTemplateValidator;
import io.s3relay.submission.SubmissionKind;
import io.s3relay.submission.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The integrations in force, looked up by account. It re-reads the integrations file when it changes: a file that
 * does not parse keeps the whole last good configuration, a broken integration keeps its own last good version.
 */
public class IntegrationRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationRegistry.class);

    private final Path file;
    private final IntegrationsFile reader;
    private final PathTemplateRenderer renderer;
    private final S3Clients clientFactory;
    private final UploadTargets targets;
    /** Closes what a reload replaced once its grace period is over. */
    private final ScheduledExecutorService graceTimer;

    private volatile Map<String, ActiveIntegration> byId = Map.of();
    private volatile Map<String, List<ActiveIntegration>> byAccount = Map.of();
    private volatile Map<String, String> problems = Map.of();
    /** Per account, its rejected integrations without a good version in force: id to the reason. */
    private volatile Map<String, Map<String, String>> notInForceByAccount = Map.of();
    /** Accounts that had an integration in force since the relay started. */
    private final java.util.Set<String> accountsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String lastSeenVersion;
    /** How long a replaced client and its endpoints stay usable by the uploads in flight. */
    private final long replacedGraceMillis;

    /** @param graceTimer a single-threaded scheduler, shut down by {@link #close()} */
    public IntegrationRegistry(Path file, IntegrationsFile reader, PathTemplateRenderer renderer,
                               S3Clients clientFactory, UploadTargets targets, long replacedGraceMillis,
                               ScheduledExecutorService graceTimer) {
        this.file = file;
        this.reader = reader;
        this.renderer = renderer;
        this.clientFactory = clientFactory;
        this.targets = targets;
        this.replacedGraceMillis = replacedGraceMillis;
        this.graceTimer = graceTimer;
    }

    /**
     * Loads the file, before any route takes a message; the route {@code integrations-reload}
     * (routes/integrations.camel.yaml) then calls {@link #reloadIfChanged} at a fixed interval.
     */
    public void start() {
        reloadIfChanged();
    }

    public List<ActiveIntegration> forAccount(String accountId) {
        return byAccount.getOrDefault(accountId, List.of());
    }

    /** The enrichment step of the submissions route: the integrations of the submission's account. */
    public AccountIntegrations forSubmission(Submission submission) {
        String account = submission.accountId();
        return new AccountIntegrations(forAccount(account), notInForceByAccount.getOrDefault(account, Map.of()),
                accountsSeen.contains(account));
    }

    /** Why an integration of the file is not in force, or null. */
    public String problem(String integrationId) {
        return problems.get(integrationId);
    }

    public ActiveIntegration get(String integrationId) {
        return byId.get(integrationId);
    }

    public Map<String, ActiveIntegration> all() {
        return byId;
    }

    /** Re-reads the file if its modification time or size changed since it was last read. It never throws. */
    public synchronized void reloadIfChanged() {
        try {
            String version = Files.exists(file)
                    ? Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file) : "missing";
            if (!version.equals(lastSeenVersion)) {
                lastSeenVersion = version;
                reload();
            }
        } catch (Throwable e) {
            // whatever a file holds (a template that overflows the stack, say), the next check must still apply
            // the next edit: nothing escapes to the route, which would log a stack trace at every check
            LOG.error("Could not check the integrations file {}: {}", file, e.toString(), e);
        }
    }

    /** Reads the file and puts what is valid in force. */
    public synchronized void reload() {
        if (!Files.exists(file)) {
            if (byId.isEmpty()) {
                LOG.warn("Integrations file {} does not exist: no account has an S3 integration", file);
            } else {
                LOG.error("Integrations file {} is missing: the last good configuration stays in force "
                        + "(write 'integrations: []' to remove every integration)", file);
            }
            return;
        }
        IntegrationsFile.Contents contents;
        try {
            contents = reader.read(file);
        } catch (InvalidConfigurationException e) {
            LOG.error("Integrations file not applied, {}: {}", byId.isEmpty() ? "no integration is in force"
                    : "the last good configuration stays in force", e.getMessage());
            return;
        }
        Map<String, ActiveIntegration> next = new LinkedHashMap<>();
        Map<String, String> rejected = new LinkedHashMap<>(contents.problems());
        contents.integrations().forEach((id, settings) -> {
            try {
                next.put(id, activate(settings, byId.get(id)));
            } catch (InvalidKeyException e) {
                rejected.put(id, e.getMessage());
            }
        });
        Map<String, Map<String, String>> notInForce = new LinkedHashMap<>();
        rejected.forEach((id, problem) -> {
            ActiveIntegration previous = byId.get(id);
            if (previous != null) {
                next.put(id, previous);
                LOG.error("Integration {} is invalid ({}); its last good version stays in force", id, problem);
            } else {
                LOG.error("Integration {} is invalid and not in force: {}", id, problem);
                String account = contents.rejectedAccounts().get(id);
                if (account != null) {
                    notInForce.computeIfAbsent(account, a -> new LinkedHashMap<>()).put(id, problem);
                }
            }
        });
        notInForce.replaceAll((account, reasons) -> Map.copyOf(reasons));
        notInForceByAccount = Map.copyOf(notInForce);
        apply(next, rejected);
        LOG.info("Integrations in force: {} ({} rejected) from {}", next.size(), rejected.size(), file);
    }

    private ActiveIntegration activate(Integration settings, ActiveIntegration previous) {
        PathTemplate path = parse(settings, settings.pathTemplate(), "path_template", SubmissionKind.SUBMISSION);
        PathTemplate test = settings.testPathTemplate() == null ? null
                : parse(settings, settings.testPathTemplate(), "test_path_template", SubmissionKind.SUBMISSION);
        PathTemplate combined = settings.uploadsCombined()
                ? parse(settings, settings.combinedPathTemplate(), "combined_path_template", SubmissionKind.COMBINED_SUBMISSION)
                : null;
        Map<String, PathTemplate> tags = new LinkedHashMap<>();
        settings.objectOptions().tags().forEach((key, value) -> tags.put(key, parseTag(settings, key, value)));
        // a client holds its credentials (role credentials are kept and refreshed in it) and its object options
        boolean sameConnection = previous != null && previous.settings().connection().equals(settings.connection())
                && previous.settings().objectOptions().equals(settings.objectOptions());
        S3Client client = sameConnection ? previous.client() : clientFactory.create(settings);
        UploadTargets.Target target = sameConnection && previous.settings().bucket().equals(settings.bucket())
                ? previous.target() : targets.bind(settings.bucket(), client);
        return new ActiveIntegration(settings, path, test, combined, client, target, java.util.Collections.unmodifiableMap(tags));
    }

    /**
     * A tag's value template, checked for the variables of every kind of PDF the integration uploads. The key
     * template's warnings (a key without the submission's id) do not apply to a tag.
     */
    private PathTemplate parseTag(Integration settings, String key, String template) {
        String field = "tags." + key;
        PathTemplate parsed;
        try {
            parsed = renderer.parse(template);
        } catch (InvalidKeyException e) {
            throw new InvalidKeyException(field + ": " + e.getMessage(), e);
        }
        List<SubmissionKind> kinds = settings.uploadsCombined()
                ? List.of(SubmissionKind.SUBMISSION, SubmissionKind.COMBINED_SUBMISSION) : List.of(SubmissionKind.SUBMISSION);
        for (SubmissionKind kind : kinds) {
            PathTemplateValidator.Findings findings = PathTemplateValidator.check(parsed, kind);
            if (!findings.valid()) {
                throw new InvalidKeyException(field + ": " + String.join("; ", findings.errors()));
            }
        }
        return parsed;
    }

    /** Parses and checks one template: errors reject the integration, warnings are logged. */
    private PathTemplate parse(Integration settings, String template, String field, SubmissionKind kind) {
        PathTemplate parsed;
        try {
            parsed = renderer.parse(template);
        } catch (InvalidKeyException e) {
            throw new InvalidKeyException(field + ": " + e.getMessage(), e);
        }
        PathTemplateValidator.Findings findings = PathTemplateValidator.check(parsed, kind);
        if (!findings.valid()) {
            throw new InvalidKeyException(field + ": " + String.join("; ", findings.errors()));
        }
        findings.warnings().forEach(w -> LOG.warn("Integration {} {}: {}", settings.id(), field, w));
        return parsed;
    }

    private void apply(Map<String, ActiveIntegration> next, Map<String, String> rejected) {
        Map<String, List<ActiveIntegration>> accounts = new LinkedHashMap<>();
        next.values().forEach(i -> accounts.computeIfAbsent(i.settings().accountId(), a -> new ArrayList<>()).add(i));
        accountsSeen.addAll(accounts.keySet());
        accounts.replaceAll((account, list) -> List.copyOf(list));
        Map<String, ActiveIntegration> previous = byId;
        byId = Map.copyOf(next);
        byAccount = Map.copyOf(accounts);
        problems = Map.copyOf(rejected);
        closeUnusedClients(previous.values(), next.values());
    }

    /**
     * A replaced client or target may still serve an upload in flight: it is closed and taken out of Camel's
     * registry only after a grace period, so that replaced ones do not pile up there.
     */
    private void closeUnusedClients(Iterable<ActiveIntegration> before, Iterable<ActiveIntegration> after) {
        List<S3Client> clientsInUse = new ArrayList<>();
        List<UploadTargets.Target> targetsInUse = new ArrayList<>();
        after.forEach(i -> {
            clientsInUse.add(i.client());
            targetsInUse.add(i.target());
        });
        for (ActiveIntegration old : before) {
            if (targetsInUse.stream().noneMatch(t -> t == old.target())) {
                graceTimer.schedule(() -> targets.unbind(old.target()), replacedGraceMillis, TimeUnit.MILLISECONDS);
            }
            if (clientsInUse.stream().noneMatch(c -> c == old.client())) {
                graceTimer.schedule(() -> old.client().close(), replacedGraceMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        graceTimer.shutdownNow();
        byId.values().forEach(i -> i.client().close());
    }
}
