package io.s3relay.bench;

import java.util.Locale;

/** One measured drain of one system. */
record DrainFigures(String system, String phase, int uploads, double seconds, double firstProcessedSeconds, long p50,
                    long p99, double cpuSeconds, double serversCpuSeconds, long rssPeakMb, Tenant tenant,
                    double othersCpuSeconds, String load, double jitCpuSeconds) {

    double uploadsPerSecond() {
        return uploads / seconds;
    }

    /** The JIT compiler's part of the system's CPU in this round. */
    double jitShare() {
        return cpuSeconds == 0 ? 0 : jitCpuSeconds / cpuSeconds;
    }

    @Override
    public String toString() {
        return toString("");
    }

    /** The drain's line ending in {@code suffix}, then the second tenant's line if there was one. */
    String toString(String suffix) {
        String line = String.format(Locale.ROOT, "%-12s %-7s %,7d uploads in %6.1f s = %6.1f uploads/s  first processed"
                        + " %5.1f s  p50 %,7d ms  p99 %,7d ms  cpu %5.1f s (%.2f ms/upload, JIT %2.0f %%)  servers cpu %5.1f s"
                        + "  rss peak %,5d MiB  other processes' cpu %5.1f s, load %s", system, phase, uploads, seconds,
                uploadsPerSecond(), firstProcessedSeconds, p50, p99, cpuSeconds, cpuSeconds * 1000 / uploads,
                100 * jitShare(), serversCpuSeconds, rssPeakMb, othersCpuSeconds, load) + suffix;
        return tenant == null ? line : line + String.format(Locale.ROOT, "%n%-12s second tenant: %d submissions, p50 %,d ms,"
                + " p99 %,d ms", "", tenant.submissions(), tenant.p50(), tenant.p99());
    }

    /** A second tenant's figures: its submissions during the drain and their latency from send to processed. */
    record Tenant(int submissions, long p50, long p99) {
    }
}
