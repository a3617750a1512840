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
        return cpuTicks(Path.of("/proc", String.valueOf(process.pid()), "stat")) / (double) Machine.clockTicks();
    }

    /**
     * CPU time of the JIT compiler's threads so far (their names start with C1 or C2 CompilerThread; a compiler
     * thread that the JVM ended meanwhile is no longer counted, so a share read from this is a lower bound).
     */
    double jitCpuSeconds() throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                        ticks += cpuTicks(task.resolve("stat"));
                    }
                } catch (IOException ended) {
                    // the thread ended while it was read
                }
            }
        }
        return ticks / (double) Machine.clockTicks();
    }

    /** User + system time, in clock ticks, of a process's or a thread's /proc stat file. */
    private static long cpuTicks(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3; utime and stime are fields 14 and 15
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
