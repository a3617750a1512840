package io.s3relay.bench;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The processed statuses of one drain: each submission is done once each of its integrations reported one. */
final class Drain {

    /** A drain fails when no submission completes for this long (a relay that is stuck, or died). */
    private static final long STALL_SECONDS = 180;

    private final Map<String, long[]> dropped = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> remaining = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final List<Long> latencies = new CopyOnWriteArrayList<>();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong last = new AtomicLong();
    final AtomicInteger duplicates = new AtomicInteger();

    void add(String id, int integrations, long droppedNanos) {
        remaining.put(id, new AtomicInteger(integrations));
        dropped.put(id, new long[] {droppedNanos});
    }

    void allDroppedAt(long nanos) {
        dropped.values().forEach(at -> at[0] = nanos);
    }

    /** Whether the status was one of this drain's. */
    boolean processed(String id, String integration, long now) {
        long[] at = dropped.get(id);
        if (at == null) {
            return false;
        }
        if (!reported.add(id + "/" + integration)) {
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

    int done() {
        return done.get();
    }

    long firstProcessed() {
        return first.get();
    }

    long lastProcessed() {
        return last.get();
    }

    long[] sortedLatencies() {
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Waits for {@code count} submissions; fails if the system's JVM ends or nothing completes for 3 minutes. */
    void await(int count, SystemJvm jvm, String system) throws InterruptedException {
        int seen = done();
        long progress = System.nanoTime();
        while (done() < count) {
            if (!jvm.process().isAlive()) {
                throw new IllegalStateException(system + " ended with " + done() + " of " + count + " done; see " + jvm.log());
            }
            if (done() != seen) {
                seen = done();
                progress = System.nanoTime();
            } else if (System.nanoTime() - progress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                throw new IllegalStateException(system + " stalled at " + done() + " of " + count + "; see " + jvm.log());
            }
            Thread.sleep(50);
        }
    }
}
