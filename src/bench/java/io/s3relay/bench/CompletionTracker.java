package io.s3relay.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;

/**
 * Listens to the statuses of one round of submissions: a submission is done once each of its integrations has
 * reported processed. Keeps each submission's latency from drop to done and the time the last one was done, so
 * that throughput runs from the first drop to the last processed status.
 */
final class CompletionTracker implements MessageListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Long> dropped = new ConcurrentHashMap<>();
    private final Map<String, Integer> remaining = new ConcurrentHashMap<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch done;
    private final Predicate<JsonNode> counts;
    private long lastProcessed;

    /** Every processed status of a submission counts towards it. */
    CompletionTracker(int submissions) {
        this(submissions, status -> true);
    }

    /**
     * Only the processed statuses {@code counts} accepts count towards their submission, e.g. only the first one
     * per (submission, integration) where a job may be reported twice.
     */
    CompletionTracker(int submissions, Predicate<JsonNode> counts) {
        this.done = new CountDownLatch(submissions);
        this.counts = counts;
    }

    /** Call just before sending the submission: it waits for {@code integrations} processed statuses. */
    void dropped(String id, int integrations) {
        // remaining first: a status is only looked at once its submission is in dropped
        remaining.put(id, integrations);
        dropped.put(id, System.nanoTime());
    }

    /** Every submission counts as dropped at {@code nanoTime}, e.g. when all were queued before the system started. */
    void allDroppedAt(long nanoTime) {
        dropped.replaceAll((id, t) -> nanoTime);
    }

    @Override
    public void onMessage(Message message) {
        try {
            JsonNode status = JSON.readTree(((TextMessage) message).getText());
            String id = status.path("submission_id").asText();
            if (status.path("state").asText().equals("processed") && dropped.containsKey(id) && counts.test(status)
                    && remaining.merge(id, -1, Integer::sum) == 0) {
                long now = System.nanoTime();
                latencies.add(TimeUnit.NANOSECONDS.toMillis(now - dropped.get(id)));
                synchronized (this) {
                    lastProcessed = Math.max(lastProcessed, now);
                }
                done.countDown();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every submission is done, for 30 minutes at the most. */
    void awaitAll() throws InterruptedException {
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("not finished: " + done.getCount() + " submissions left");
        }
    }

    /** System.nanoTime() when the last submission was done. */
    synchronized long lastProcessed() {
        return lastProcessed;
    }

    /** Each submission's latency from drop to done, in milliseconds, smallest first. */
    long[] sortedLatencies() {
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** The nearest-rank percentile {@code p} of {@code sorted}; 0 for none. */
    static long percentile(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
