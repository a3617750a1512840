package io.s3relay.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds each download in time: it is aborted when no byte arrived for {@code s3relay.source.read-idle-timeout}
 * (waiting for the response counts) or when it has lasted {@code s3relay.source.read-timeout} in all, so that a
 * source that trickles cannot hold a consumer, its transaction and its integration's place.
 */
final class ReadWatchdog implements AutoCloseable {

    private final long idleNanos;
    private final long totalNanos;
    private final ScheduledThreadPoolExecutor timer;

    ReadWatchdog(Duration idle, Duration total) {
        if (idle.isNegative() || idle.isZero() || total.isNegative() || total.isZero()) {
            throw new IllegalArgumentException("s3relay.source.read-idle-timeout and s3relay.source.read-timeout must be positive");
        }
        this.idleNanos = idle.toNanos();
        this.totalNanos = total.toNanos();
        AtomicInteger threads = new AtomicInteger();
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "s3relay-download-timeouts-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    Duration idle() {
        return Duration.ofNanos(idleNanos);
    }

    Duration total() {
        return Duration.ofNanos(totalNanos);
    }

    /** Starts watching one download; {@code abort} is run (once) when it overstays. */
    Watch watch(Runnable abort) {
        return new Watch(abort);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One download: {@link #progress()} on every byte read, {@link #close()} when it ends. */
    final class Watch implements AutoCloseable {
        private final long started = System.nanoTime();
        private volatile long lastProgress = started;
        private volatile Runnable abort;
        private volatile String expired;
        private final ScheduledFuture<?> check;

        private Watch(Runnable abort) {
            this.abort = abort;
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(idleNanos, totalNanos) / 8);
            period = Math.min(period, TimeUnit.SECONDS.toNanos(1));
            this.check = timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.NANOSECONDS);
        }

        /** What to abort from now on (the body's stream once the response is in). */
        void abortWith(Runnable abort) {
            this.abort = abort;
            if (expired != null) {
                abort.run();
            }
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        /** Which timeout ended the download, as a message; null while none did. */
        String expired() {
            return expired;
        }

        private void check() {
            long now = System.nanoTime();
            if (expired != null) {
                return;
            }
            if (now - started > totalNanos) {
                expired = "took more than s3relay.source.read-timeout (" + Duration.ofNanos(totalNanos).toMillis() + " ms)";
            } else if (now - lastProgress > idleNanos) {
                expired = "no byte for s3relay.source.read-idle-timeout (" + Duration.ofNanos(idleNanos).toMillis() + " ms)";
            } else {
                return;
            }
            check.cancel(false);
            try {
                abort.run();
            } catch (RuntimeException ignored) {
                // the reader fails on its own once its connection is gone
            }
        }

        /** The body, counted as progress byte by byte, failing once a timeout ended the download. */
        InputStream track(InputStream body) {
            return new FilterInputStream(body) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    after(b >= 0 ? 1 : 0);
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    after(n);
                    return n;
                }

                private void after(int n) throws IOException {
                    if (expired != null) {
                        throw new IOException("download aborted: " + expired);
                    }
                    if (n > 0) {
                        progress();
                    }
                }
            };
        }

        @Override
        public void close() {
            check.cancel(false);
        }
    }
}
