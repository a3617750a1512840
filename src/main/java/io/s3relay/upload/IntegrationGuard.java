package io.s3relay.upload;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;

import io.s3relay.failure.FailedAttempts;
import io.s3relay.failure.NotAttemptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one customer's bucket from holding up the others: fair shares of the upload threads (see
 * {@link FairShare}: one integration alone may use them all, several share them, a slow or failing one never holds
 * more than half) and a circuit breaker (after repeated transient failures the integration's jobs wait for a while
 * instead of hammering it).
 *
 * <p>Two pools: the submissions' consumers, which upload copies within their submissions, shared by account (a
 * submission's copies are all its account's, uploaded one after the other) and leaving one consumer free for the
 * next account's submission (a copy beyond its account's share waits up to {@value #WITHIN_SUBMISSION_WAIT_MILLIS} ms
 * for one of its account's places, then goes on as a job: without that wait, the consumer left over raced through
 * the backlog turning every copy it took into a job while the others uploaded), and the
 * upload jobs' consumers, where a healthy integration's job waits for one of its places (they free in
 * milliseconds) and a slow or failing one's goes back to the broker, later each time it finds no place.
 *
 * <p>Why not a library: Camel's {@code circuitBreaker} EIP keeps one breaker per route step, where the relay needs
 * one per integration; a Resilience4j breaker per integration refuses a call without saying for how long, and the
 * relay hands a refused job to the broker's scheduler for exactly the time its circuit stays open, so that no
 * consumer waits and no job comes back early. Resilience4j's bulkhead is a fixed limit, not the work-conserving
 * share of {@link FairShare}.
 */
public class IntegrationGuard implements FailedAttempts {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationGuard.class);
    /** How long a job that found no place first waits on the broker (doubled each time it finds none again). */
    static final long NO_PLACE_RETRY_MILLIS = 1000;
    /** How long a copy within its submission may wait for one of its account's places before it goes as a job. */
    static final long WITHIN_SUBMISSION_WAIT_MILLIS = 200;

    private final FairShare withinSubmissions;
    private final FairShare jobs;
    private final int failureThreshold;
    private final long openMillis;
    private final long slowUploadMillis;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final AtomicLong tickets = new AtomicLong();

    /** @param holder whom the place is counted for in its pool: the account within submissions, else the integration */
    private record Flight(String holder, long startedNanos, FairShare pool, boolean limited) {
    }

    private static final class State {
        volatile long lastSuccessNanos = Long.MIN_VALUE;
        volatile long lastFailureNanos = Long.MIN_VALUE;
        volatile long lastUploadMillis;
        /** The uploads in flight, by ticket. */
        final Map<Long, Flight> inFlight = new ConcurrentHashMap<>();
        int consecutiveFailures;
        long openUntil;
    }

    /**
     * @param submissionConsumers the consumers of the submissions queue (uploads within submissions)
     * @param jobConsumers        the consumers of the upload jobs queue
     * @param slowUploadMillis    an integration whose last upload took this long or longer, or with an upload in
     *                            flight for that long, is slow (see {@link #healthy}) until one is quicker again
     */
    public IntegrationGuard(int submissionConsumers, int jobConsumers, int failureThreshold, long openMillis,
                            long slowUploadMillis) {
        this.withinSubmissions = new FairShare(submissionConsumers, 1);
        this.jobs = new FairShare(jobConsumers, 0);
        this.failureThreshold = failureThreshold;
        this.openMillis = openMillis;
        this.slowUploadMillis = slowUploadMillis;
    }

    /**
     * Takes a place for one upload, or says why the copy must wait ({@link NotAttemptedException}). Each success
     * must be followed by {@link #release} with the ticket it returns.
     *
     * @param accountId        the integration's account
     * @param withinSubmission whether the copy is uploaded by its submission's consumer (else it is a job)
     */
    public long acquire(String integrationId, String accountId, boolean withinSubmission) {
        State state = states.computeIfAbsent(integrationId, id -> new State());
        long now = System.currentTimeMillis();
        synchronized (state) {
            if (state.openUntil > now) {
                throw new NotAttemptedException("integration " + integrationId + " failed " + state.consecutiveFailures
                        + " times in a row; its uploads pause until its circuit closes", state.openUntil - now);
            }
        }
        FairShare pool = withinSubmission ? withinSubmissions : jobs;
        String holder = withinSubmission ? accountId : integrationId;
        boolean limited = !healthy(state);
        if (!pool.take(holder, limited, withinSubmission ? WITHIN_SUBMISSION_WAIT_MILLIS : slowUploadMillis)) {
            throw new NotAttemptedException((withinSubmission ? "account " + accountId : "integration " + integrationId)
                    + " has its share of uploads in flight ("
                    + pool.shareOf(holder, limited) + (withinSubmission ? " within submissions" : " of the jobs")
                    + (limited ? ", as a slow or failing integration" : "") + ")",
                    withinSubmission ? 0 : NO_PLACE_RETRY_MILLIS);
        }
        long ticket = tickets.incrementAndGet();
        state.inFlight.put(ticket, new Flight(holder, System.nanoTime(), pool, limited));
        return ticket;
    }

    public void release(String integrationId, long ticket) {
        State state = states.get(integrationId);
        Flight flight = state == null ? null : state.inFlight.remove(ticket);
        if (flight != null) {
            flight.pool().give(flight.holder(), flight.limited());
        }
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
        State state = states.computeIfAbsent(integrationId, id -> new State());
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
        return state == null || healthy(state);
    }

    private boolean healthy(State state) {
        if (state.lastUploadMillis >= slowUploadMillis) {
            return false;
        }
        long slowSince = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(slowUploadMillis);
        for (Flight flight : state.inFlight.values()) {
            if (flight.startedNanos() - slowSince <= 0) {
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
