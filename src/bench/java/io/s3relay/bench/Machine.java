package io.s3relay.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the machine and this JVM (the broker and the S3 server) have spent, read from /proc and the JVM. */
final class Machine {

    private static final com.sun.management.OperatingSystemMXBean THIS_JVM =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final long CLOCK_TICKS = readClockTicks();

    private Machine() {
    }

    /** The kernel's clock ticks per second, the unit of /proc's CPU times. */
    static long clockTicks() {
        return CLOCK_TICKS;
    }

    /** The CPU this JVM (the broker and the S3 server) has used so far. */
    static double serversCpuSeconds() {
        return THIS_JVM.getProcessCpuTime() / 1e9;
    }

    /**
     * The machine's busy CPU time so far, all processes (/proc/stat): what the system, this JVM and the others used.
     * Another process's CPU during a drain took cores from the two measured.
     */
    static double busyCpuSeconds() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal: all but idle and iowait
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(fields[i]);
        }
        return busy / (double) CLOCK_TICKS;
    }

    /** User + system CPU time of all a process's threads so far. */
    static double cpuSeconds(long pid) throws IOException {
        return cpuTicks(Path.of("/proc", String.valueOf(pid), "stat")) / (double) CLOCK_TICKS;
    }

    /**
     * CPU time of a JVM's JIT compiler threads so far (their names start with C1 or C2 CompilerThread; a compiler
     * thread that the JVM ended meanwhile is no longer counted, so a share read from this is a lower bound).
     */
    static double compilerCpuSeconds(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
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
        return ticks / (double) CLOCK_TICKS;
    }

    /** User + system time, in clock ticks, of a process's or a thread's /proc stat file. */
    private static long cpuTicks(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3; utime and stime are fields 14 and 15
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The load average over 1, 5 and 15 minutes. */
    static String loadAverage() {
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return load[0] + " " + load[1] + " " + load[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long readClockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            String ticks = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            getconf.waitFor();
            return Long.parseLong(ticks);
        } catch (Exception e) {
            return 100;
        }
    }
}
