package io.s3relay.failure;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: how long a job waits before its next attempt, and how many it gets. */
public record Backoff(long initialDelayMillis, double multiplier, long maxDelayMillis, int maxAttempts, double jitter) {

    /** The wait after a failed attempt number {@code attempt} (1 for the first), jittered by ±{@code jitter}. */
    public long delayAfter(int attempt) {
        double delay = initialDelayMillis * Math.pow(multiplier, Math.max(0, attempt - 1));
        delay = Math.min(delay, maxDelayMillis);
        double factor = 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
        return Math.max(1, Math.round(delay * factor));
    }
}
