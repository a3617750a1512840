package io.s3relay.upload;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.s3relay.failure.FailedAttempts;
import io.s3relay.failure.NotAttemptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one customer's bucket from holding up the others: a bulkhead (at most N uploads in flight per
 * integration, so a stalling bucket cannot take every consumer) and a circuit breaker (after repeated transient
 * failures the integration's jobs wait for a while instead of hammering it).
 *
 * <p>A job whose integration is full goes back to its queue for {@code busyRetryMillis}. Bouncing at once makes
 * the consumers beyond an integration's limit take and return its backlog's jobs over and over, a send and a
 * commit each, which halves that integration's throughput. So while the integration is moving (one of its uploads
 * succeeded within the last {@code busyWaitMillis}) the job first waits up to that long for a place, as one is
 * likely to free within it. A stalling or failing bucket has no recent success: its jobs go back at once and never
 * hold a consumer that another customer's job could use.
 */
public class IntegrationGuard implements FailedAttempts {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationGuard.class);

    private final int maxInFlight;
    private final int failureThreshold;
    private final long openMillis;
    private final long busyRetryMillis;
    private final long busyWaitMillis;
    private final long slowUploadMillis;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong tickets = new java.util.concurrent.atomic.AtomicLong();

    private static final class State {
        final Semaphore permits;
        volatile long lastSuccessNanos = Long.MIN_VALUE;
        volatile long lastFailureNanos = Long.MIN_VALUE;
        volatile long lastUploadMillis;
        /** When each upload in flight started (System.nanoTime), by its ticket. */
        final Map<Long, Long> inFlightSince = new ConcurrentHashMap<>();
        int consecutiveFailures;
        long openUntil;

        State(int permits) {
            this.permits = new Semaphore(permits);
        }
    }

    public IntegrationGuard(int maxInFlight, int failureThreshold, long openMillis, long busyRetryMillis) {
        this(maxInFlight, failureThreshold, openMillis, busyRetryMillis, 0);
    }

    public IntegrationGuard(int maxInFlight, int failureThreshold, long openMillis, long busyRetryMillis,
                            long busyWaitMillis) {
        this(maxInFlight, failureThreshold, openMillis, busyRetryMillis, busyWaitMillis, Long.MAX_VALUE);
    }

    /**
     * @param slowUploadMillis an integration whose last upload took this long or longer is not uploaded within
     *                         submissions (see {@link #healthy}) until one is quicker again
     */
    public IntegrationGuard(int maxInFlight, int failureThreshold, long openMillis, long busyRetryMillis,
                            long busyWaitMillis, long slowUploadMillis) {
        this.slowUploadMillis = slowUploadMillis;
        this.maxInFlight = maxInFlight;
        this.failureThreshold = failureThreshold;
        this.openMillis = openMillis;
        this.busyRetryMillis = busyRetryMillis;
        this.busyWaitMillis = busyWaitMillis;
    }

    /**
     * Takes a place for one upload, or says why the job must wait. Each success must be followed by
     * {@link #release} with the ticket it returns.
     */
    public long acquire(String integrationId) {
        State state = states.computeIfAbsent(integrationId, id -> new State(maxInFlight));
        long now = System.currentTimeMillis();
        synchronized (state) {
            if (state.openUntil > now) {
                throw new NotAttemptedException("integration " + integrationId + " failed " + state.consecutiveFailures
                        + " times in a row; its uploads pause until its circuit closes", state.openUntil - now);
            }
        }
        if (!state.permits.tryAcquire() && !(moving(state) && waitForPlace(state))) {
            throw new NotAttemptedException("integration " + integrationId + " already has " + maxInFlight
                    + " uploads in flight", busyRetryMillis);
        }
        long ticket = tickets.incrementAndGet();
        state.inFlightSince.put(ticket, System.nanoTime());
        return ticket;
    }

    private boolean moving(State state) {
        return busyWaitMillis > 0 && state.lastSuccessNanos != Long.MIN_VALUE
                && System.nanoTime() - state.lastSuccessNanos <= TimeUnit.MILLISECONDS.toNanos(busyWaitMillis);
    }

    private boolean waitForPlace(State state) {
        try {
            return state.permits.tryAcquire(busyWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void release(String integrationId, long ticket) {
        State state = states.get(integrationId);
        if (state != null && state.inFlightSince.remove(ticket) != null) {
            state.permits.release();
        }
    }

    public void succeeded(String integrationId) {
        succeeded(integrationId, 0);
    }

    /** An upload of the integration succeeded, after {@code millis}: its circuit closes. */
    public void succeeded(String integrationId, long millis) {
        State state = states.get(integrationId);
        if (state != null) {
            state.lastUploadMillis = millis;
            state.lastSuccessNanos = System.nanoTime();
            synchronized (state) {
                state.consecutiveFailures = 0;
                state.openUntil = 0;
            }
        }
    }

    /**
     * A transient failure of a real attempt: enough of them in a row open the circuit, and the integration's copies
     * go as jobs until one of its uploads succeeds.
     */
    @Override
    public void failed(String integrationId) {
        State state = states.computeIfAbsent(integrationId, id -> new State(maxInFlight));
        state.lastFailureNanos = System.nanoTime();
        synchronized (state) {
            state.consecutiveFailures++;
            if (state.consecutiveFailures >= failureThreshold) {
                if (state.openUntil <= System.currentTimeMillis()) {
                    LOG.warn("Circuit of integration {} opens for {} ms after {} failures in a row", integrationId,
                            openMillis, state.consecutiveFailures);
                }
                state.openUntil = System.currentTimeMillis() + openMillis;
            }
        }
    }

    /**
     * Whether a copy may be uploaded within its submission's transaction: its circuit is closed, none of its
     * uploads failed since the last one that succeeded, and that one was not slow. A stalling, failing or slow
     * bucket then holds a submission's consumer once, not again until it answers quickly: the consumers of the
     * submissions, which every account shares, keep moving, and its copies wait as jobs instead.
     */
    public boolean healthy(String integrationId) {
        State state = states.get(integrationId);
        if (state == null) {
            return true;
        }
        if (state.lastUploadMillis >= slowUploadMillis) {
            return false;
        }
        long slowSince = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(slowUploadMillis);
        for (long started : state.inFlightSince.values()) {
            if (started - slowSince <= 0) {
                return false;
            }
        }
        long failure = state.lastFailureNanos;
        if (failure != Long.MIN_VALUE && (state.lastSuccessNanos == Long.MIN_VALUE || state.lastSuccessNanos - failure < 0)) {
            return false;
        }
        return !open(state);
    }

    public boolean isOpen(String integrationId) {
        State state = states.get(integrationId);
        return state != null && open(state);
    }

    private static boolean open(State state) {
        synchronized (state) {
            return state.openUntil > System.currentTimeMillis();
        }
    }
}
