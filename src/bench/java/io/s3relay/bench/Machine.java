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
