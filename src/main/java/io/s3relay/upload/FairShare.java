package io.s3relay.upload;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The places of one pool of upload threads (the submissions' consumers, or the upload jobs' consumers), shared
 * fairly among the holders that have work in it, and never left idle. A holder is whoever the pool is fair to: an
 * account among the submissions' consumers, an integration among the jobs' (see {@link IntegrationGuard#acquire}).
 * A holder alone with work may use every place (but {@code reserve}); when {@code n} holders have uploads in
 * flight or waiting, each may use {@code capacity / n} of them (rounded up). Slow or failing integrations never
 * use more than half, all of them together, so another account's work always finds a place while those buckets
 * hold their uploads.
 *
 * <p>A thread that finds its holder at its share may wait for one of that holder's places: its uploads end in
 * milliseconds while it is healthy, so the job neither goes back to the broker nor holds the thread long. At most
 * half a holder's share of threads wait at once; the others, and every thread of a slow or failing integration,
 * are told no at once.
 */
public final class FairShare {

    private final int capacity;
    private final int reserve;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition placeFreed = lock.newCondition();
    /** The holders with uploads in flight or waiting in this pool; none other is kept. */
    private final Map<String, Places> holders = new HashMap<>();
    /** Places taken by slow or failing integrations, all of them together. */
    private int limitedInFlight;

    private static final class Places {
        int inFlight;
        int waiting;
    }

    /**
     * @param capacity the pool's threads
     * @param reserve  the places a holder alone with work leaves free for the next account's (0: none)
     */
    public FairShare(int capacity, int reserve) {
        if (capacity < 1 || reserve < 0) {
            throw new IllegalArgumentException("a pool needs at least one place");
        }
        this.capacity = capacity;
        this.reserve = Math.min(reserve, capacity - 1);
    }

    /**
     * Takes a place for one upload of the holder, waiting up to {@code waitMillis} for one of its own to free
     * when it is at its share. Returns false when it got none: the caller must not upload. Each true must be
     * followed by one {@link #give}.
     *
     * @param limited whether the upload's integration is slow or failing: it gets at most half the pool, and never
     *                waits
     */
    public boolean take(String holder, boolean limited, long waitMillis) {
        lock.lock();
        try {
            Places places = holders.computeIfAbsent(holder, id -> new Places());
            if (places.inFlight < limit(limited) && (!limited || limitedInFlight < Math.max(1, capacity / 2))) {
                places.inFlight++;
                if (limited) {
                    limitedInFlight++;
                }
                return true;
            }
            if (limited || waitMillis <= 0 || places.waiting >= Math.max(1, limit(false) / 2)) {
                forgetIfIdle(holder, places);
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
                forgetIfIdle(holder, places);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a place that {@link #take} gave, with the {@code limited} it was taken with. */
    public void give(String holder, boolean limited) {
        lock.lock();
        try {
            Places places = holders.get(holder);
            if (places != null && places.inFlight > 0) {
                places.inFlight--;
                if (limited && limitedInFlight > 0) {
                    limitedInFlight--;
                }
                forgetIfIdle(holder, places);
                // one holder fewer may mean a larger share for every other
                placeFreed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many uploads a holder may have in flight now (with the lock held). */
    private int limit(boolean limited) {
        int sharing = Math.max(1, holders.size());
        int share = sharing == 1 ? capacity - reserve : (capacity + sharing - 1) / sharing;
        return Math.max(1, limited ? Math.min(share, capacity / 2) : share);
    }

    private void forgetIfIdle(String holder, Places places) {
        if (places.inFlight == 0 && places.waiting == 0) {
            holders.remove(holder);
        }
    }

    /** The holder's share now, as {@link #take} would apply it (for logs and tests). */
    public int shareOf(String holder, boolean limited) {
        lock.lock();
        try {
            boolean counted = holders.containsKey(holder);
            if (!counted) {
                holders.put(holder, new Places());
            }
            try {
                return limit(limited);
            } finally {
                if (!counted) {
                    holders.remove(holder);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
