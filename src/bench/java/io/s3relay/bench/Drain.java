package io.s3relay.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The processed statuses of one drain: each submission is done once each of its integrations reported one. A copy's
 * further processed statuses (at-least-once delivery) complete nothing; they are counted as duplicates.
 */
final class Drain {

    /** A drain fails when no submission completes for this long (a system that is stuck, or died). */
    private static final long STALL_SECONDS = 180;

    private final Map<String, long[]> dropped = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> remaining = new ConcurrentHashMap<>();
    /** Processed statuses per copy ({@code submission/integration}). */
    private final Map<String, AtomicInteger> reports = new ConcurrentHashMap<>();
    private final List<Long> latencies = new CopyOnWriteArrayList<>();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong last = new AtomicLong();
    final AtomicInteger duplicates = new AtomicInteger();

    /** A submission that waits for {@code integrations} processed statuses, its latency counted from {@code droppedNanos}. */
    void add(String id, int integrations, long droppedNanos) {
        // remaining first: a status is only looked at once its submission is in dropped
        remaining.put(id, new AtomicInteger(integrations));
        dropped.put(id, new long[] {droppedNanos});
    }

    /** Every submission counts as dropped at {@code nanos}, e.g. when all were queued before the system started. */
    void allDroppedAt(long nanos) {
        dropped.values().forEach(at -> at[0] = nanos);
    }

    /** Whether the status was one of this drain's. */
    boolean processed(String id, String integration, long now) {
        long[] at = dropped.get(id);
        if (at == null) {
            return false;
        }
        if (reports.computeIfAbsent(id + "/" + integration, copy -> new AtomicInteger()).incrementAndGet() > 1) {
            duplicates.incrementAndGet();
            return true;
        }
        first.accumulateAndGet(now, Math::min);
        if (remaining.get(id).decrementAndGet() == 0) {
            latencies.add(TimeUnit.NANOSECONDS.toMillis(now - at[0]));
            last.accumulateAndGet(now, Math::max);
            done.incrementAndGet();
        }
        return true;
    }

    /** The processed statuses that one copy had: 1 when all is well, 0 when it never came. */
    int reports(String id, String integration) {
        AtomicInteger count = reports.get(id + "/" + integration);
        return count == null ? 0 : count.get();
    }

    int done() {
        return done.get();
    }

    long firstProcessed() {
        return first.get();
    }

    long lastProcessed() {
        return last.get();
    }

    /** Each done submission's latency from drop to its last processed status, in milliseconds, smallest first. */
    long[] sortedLatencies() {
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** The nearest-rank percentile {@code p} of {@code sorted}; 0 for none. */
    static long percentile(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /**
     * Waits for {@code count} submissions; fails when {@code running} says the system ended, or nothing completes
     * for 3 minutes.
     *
     * @param system what the failure names (the system, and where its log is)
     */
    void await(int count, String system, BooleanSupplier running) throws InterruptedException {
        int seen = done();
        long progress = System.nanoTime();
        while (done() < count) {
            if (!running.getAsBoolean()) {
                throw new IllegalStateException(system + " ended with " + done() + " of " + count + " done");
            }
            if (done() != seen) {
                seen = done();
                progress = System.nanoTime();
            } else if (System.nanoTime() - progress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                throw new IllegalStateException(system + " stalled at " + done() + " of " + count);
            }
            Thread.sleep(50);
        }
    }
}
