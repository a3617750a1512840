package io.s3relay.upload;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The places of one pool of upload threads (the submissions' consumers, or the upload jobs' consumers), shared
 * fairly among the integrations that have work in it, and never left idle: an integration alone with work may use
 * every place (but {@code reserve}); when {@code n} integrations have uploads in flight or waiting, each may use
 * {@code capacity / n} of them (rounded up). Slow or failing integrations never use more than half, all of them
 * together, so another account's work always finds a place while those buckets hold their uploads.
 *
 * <p>A thread that finds its integration at its share may wait for one of that integration's places: its uploads
 * end in milliseconds while it is healthy, so the job neither goes back to the broker nor holds the thread long.
 * At most half an integration's share of threads wait at once; the others, and every thread of a slow or failing
 * integration, are told no at once (see {@link IntegrationGuard#acquire}).
 */
public final class FairShare {

    private final int capacity;
    private final int reserve;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition placeFreed = lock.newCondition();
    /** The integrations with uploads in flight or waiting in this pool; none other is kept. */
    private final Map<String, Places> holders = new HashMap<>();
    /** Places taken by slow or failing integrations, all of them together. */
    private int limitedInFlight;

    private static final class Places {
        int inFlight;
        int waiting;
    }

    /**
     * @param capacity the pool's threads
     * @param reserve  the places an integration alone with work leaves free for the next account's (0: none)
     */
    public FairShare(int capacity, int reserve) {
        if (capacity < 1 || reserve < 0) {
            throw new IllegalArgumentException("a pool needs at least one place");
        }
        this.capacity = capacity;
        this.reserve = Math.min(reserve, capacity - 1);
    }

    /**
     * Takes a place for one upload of the integration, waiting up to {@code waitMillis} for one of its own to
     * free when it is at its share. Returns false when it got none: the caller must not upload. Each true must be
     * followed by one {@link #give}.
     *
     * @param limited whether the integration is slow or failing: it gets at most half the pool, and never waits
     */
    public boolean take(String integrationId, boolean limited, long waitMillis) {
        lock.lock();
        try {
            Places places = holders.computeIfAbsent(integrationId, id -> new Places());
            if (places.inFlight < limit(limited) && (!limited || limitedInFlight < Math.max(1, capacity / 2))) {
                places.inFlight++;
                if (limited) {
                    limitedInFlight++;
                }
                return true;
            }
            if (limited || waitMillis <= 0 || places.waiting >= Math.max(1, limit(false) / 2)) {
                forgetIfIdle(integrationId, places);
                return false;
            }
            places.waiting++;
            long remaining = TimeUnit.MILLISECONDS.toNanos(waitMillis);
            try {
                while (places.inFlight >= limit(false)) {
                    if (remaining <= 0) {
                        return false;
                    }
                    remaining = placeFreed.awaitNanos(remaining);
                }
                places.inFlight++;
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                places.waiting--;
                forgetIfIdle(integrationId, places);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a place that {@link #take} gave, with the {@code limited} it was taken with. */
    public void give(String integrationId, boolean limited) {
        lock.lock();
        try {
            Places places = holders.get(integrationId);
            if (places != null && places.inFlight > 0) {
                places.inFlight--;
                if (limited && limitedInFlight > 0) {
                    limitedInFlight--;
                }
                forgetIfIdle(integrationId, places);
                // one integration fewer may mean a larger share for every other
                placeFreed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many uploads the integration may have in flight now (with the lock held). */
    private int limit(boolean limited) {
        int sharing = Math.max(1, holders.size());
        int share = sharing == 1 ? capacity - reserve : (capacity + sharing - 1) / sharing;
        return Math.max(1, limited ? Math.min(share, capacity / 2) : share);
    }

    private void forgetIfIdle(String integrationId, Places places) {
        if (places.inFlight == 0 && places.waiting == 0) {
            holders.remove(integrationId);
        }
    }

    /** The integration's share now, as {@link #take} would apply it (for logs and tests). */
    public int shareOf(String integrationId, boolean limited) {
        lock.lock();
        try {
            boolean counted = holders.containsKey(integrationId);
            if (!counted) {
                holders.put(integrationId, new Places());
            }
            try {
                return limit(limited);
            } finally {
                if (!counted) {
                    holders.remove(integrationId);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
