package io.s3relay.upload;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.s3relay.failure.NotAttemptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one customer's bucket from holding up the others: a bulkhead (at most N uploads in flight per
 * integration, so a stalling bucket cannot take every consumer) and a circuit breaker (after repeated transient
 * failures the integration's jobs wait for a while instead of hammering it).
 *
 * <p>A job whose integration is full goes back to its queue for {@code busyRetryMillis}. With
 * {@code busyWaitMillis} above 0 it first waits that long for a place, as one of the integration's uploads often
 * ends within it: bouncing at once makes the consumers beyond an integration's limit take and return its backlog's
 * jobs over and over, a send and a commit each, but waiting also lets a stalling bucket hold those consumers.
 */
public class IntegrationGuard {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationGuard.class);

    private final int maxInFlight;
    private final int failureThreshold;
    private final long openMillis;
    private final long busyRetryMillis;
    private final long busyWaitMillis;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final Semaphore permits;
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
        this.maxInFlight = maxInFlight;
        this.failureThreshold = failureThreshold;
        this.openMillis = openMillis;
        this.busyRetryMillis = busyRetryMillis;
        this.busyWaitMillis = busyWaitMillis;
    }

    /** Takes a place for one upload, or says why the job must wait. Each success must be followed by release. */
    public void acquire(String integrationId) {
        State state = states.computeIfAbsent(integrationId, id -> new State(maxInFlight));
        long now = System.currentTimeMillis();
        synchronized (state) {
            if (state.openUntil > now) {
                throw new NotAttemptedException("integration " + integrationId + " failed " + state.consecutiveFailures
                        + " times in a row; its uploads pause until its circuit closes", state.openUntil - now);
            }
        }
        if (!place(state)) {
            throw new NotAttemptedException("integration " + integrationId + " already has " + maxInFlight
                    + " uploads in flight", busyRetryMillis);
        }
    }

    private boolean place(State state) {
        try {
            return state.permits.tryAcquire(busyWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void release(String integrationId) {
        State state = states.get(integrationId);
        if (state != null) {
            state.permits.release();
        }
    }

    public void succeeded(String integrationId) {
        State state = states.get(integrationId);
        if (state != null) {
            synchronized (state) {
                state.consecutiveFailures = 0;
                state.openUntil = 0;
            }
        }
    }

    /** A transient failure of a real attempt: enough of them in a row open the circuit. */
    public void failed(String integrationId) {
        State state = states.computeIfAbsent(integrationId, id -> new State(maxInFlight));
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

    public boolean isOpen(String integrationId) {
        State state = states.get(integrationId);
        return state != null && state.openUntil > System.currentTimeMillis();
    }
}
