package io.s3relay.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A system's JVM, its CPU and resident memory read from /proc. */
record SystemJvm(Process process, long launchNanos, boolean stopsOnStdin, Path log) {

    /** User + system CPU time of all the process's threads so far. */
    double cpuSeconds() throws IOException {
        return Machine.cpuSeconds(process.pid());
    }

    /** CPU time of the JIT compiler's threads so far ({@link Machine#compilerCpuSeconds}). */
    double jitCpuSeconds() throws IOException {
        return Machine.compilerCpuSeconds(process.pid());
    }

    /** The peak resident set (VmHWM) since the JVM started. */
    long rssPeakMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return 0;
    }

    /** The relay with SIGTERM, as a container stops; the hand-written consumer with its stop command. */
    void stop() throws Exception {
        if (stopsOnStdin && process.isAlive()) {
            try (OutputStream in = process.getOutputStream()) {
                in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException ended) {
                // it is gone already
            }
        } else {
            process.destroy();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
