package io.tokendiscovery.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of one process from /proc (Linux): utime + stime of /proc/PID/stat in clock ticks (USER_HZ,
 * 100 on Linux), VmRSS and VmHWM of /proc/PID/status.
 */
final class ProcessStats {

    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {}

    record Sample(long nanos, double cpuSeconds, long rssBytes) {

        /** CPU used between two samples, in cores (1.0 = one core fully busy). */
        double coresSince(Sample earlier) {
            return (cpuSeconds - earlier.cpuSeconds) / ((nanos - earlier.nanos) / 1e9);
        }
    }

    static Sample sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name (which may contain spaces) start after the last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return new Sample(System.nanoTime(), ticks / TICKS_PER_SECOND, statusKb(pid, "VmRSS:") * 1024);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read /proc for pid " + pid, e);
        }
    }

    /** Peak resident set size since the process started. */
    static long peakRssBytes(long pid) {
        return statusKb(pid, "VmHWM:") * 1024;
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read /proc for pid " + pid, e);
        }
    }
}
