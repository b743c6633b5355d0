package dev.harrier.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time spent during a benchmark phase: by this JVM, by the PostgreSQL server processes on the
 * same machine (read from /proc, Linux only), and by the whole machine (all its CPUs, against the
 * processors this JVM sees: under a CPU quota the share can pass 100 %). Throughput on a shared
 * two-core machine varies by ±20 % from run to run; CPU per job varies much less, and says which
 * side a change made cheaper.
 */
final class CpuMeter {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux we run on

    private final long jvmNanos;
    private final long compilerTicks;
    private final long postgresTicks;
    private final long[] machineTicks;
    private final long wallNanos;

    private CpuMeter() {
        this.jvmNanos = jvmCpuNanos();
        this.compilerTicks = compilerTicks();
        this.postgresTicks = postgresTicks();
        this.machineTicks = machineTicks();
        this.wallNanos = System.nanoTime();
    }

    static CpuMeter start() {
        return new CpuMeter();
    }

    /**
     * "JVM 21 µs (JIT 5 µs), PostgreSQL 50 µs of CPU per job; machine 92 % busy" since the start.
     * The JIT share is the CPU time of the JVM's C1 and C2 compiler threads: until the code of
     * the hot path has settled it can be half of the JVM's CPU (bench/README.md).
     */
    String perJob(long jobs) {
        double jvmMicros = (jvmCpuNanos() - jvmNanos) / 1e3 / jobs;
        double jitMicros = (compilerTicks() - compilerTicks) / TICKS_PER_SECOND * 1e6 / jobs;
        long pgTicks = postgresTicks() - postgresTicks;
        double pgMicros = pgTicks / TICKS_PER_SECOND * 1e6 / jobs;
        long[] machine = machineTicks();
        double wallSeconds = (System.nanoTime() - wallNanos) / 1e9;
        double busy = machine.length == 0 ? Double.NaN
                : (machine[0] - machineTicks[0]) / TICKS_PER_SECOND / wallSeconds / Runtime.getRuntime().availableProcessors() * 100;
        return String.format("JVM %.0f µs (JIT %.0f µs), PostgreSQL %.0f µs of CPU per job; machine %.0f %% busy",
                jvmMicros, jitMicros, pgMicros, busy);
    }

    private static long jvmCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU ticks of this JVM's JIT compiler threads (HotSpot names them "C1 CompilerThreadN" and
     * "C2 CompilerThreadN"; /proc cuts names at 15 characters). A compiler thread that the JVM
     * ends takes its time with it; 0 without /proc.
     */
    private static long compilerTicks() {
        long[] ticks = {0};
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            threads.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks[0] += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                    }
                } catch (IOException | RuntimeException e) {
                    // The thread ended while it was read.
                }
            });
        } catch (IOException e) {
            // No /proc: the JIT share is reported as 0.
        }
        return ticks[0];
    }

    /**
     * CPU ticks of every process named postgres, with those of its ended children: a backend that
     * ends is reaped by the postmaster, whose cutime and cstime then hold its time.
     */
    private static long postgresTicks() {
        long[] ticks = {0};
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("postgres")) {
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        for (int field = 11; field <= 14; field++) { // utime, stime, cutime, cstime
                            ticks[0] += Long.parseLong(fields[field]);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // The process ended while it was read: its time is in the postmaster's cutime.
                }
            });
        } catch (IOException e) {
            // No /proc: PostgreSQL's share is reported as 0.
        }
        return ticks[0];
    }

    /**
     * Busy ticks of all CPUs, from /proc/stat: user, nice, system, irq and softirq (not idle,
     * iowait, steal, nor guest time, which user already holds); empty without it.
     */
    private static long[] machineTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(cpu[i]);
            }
            return new long[] {busy};
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }
}
