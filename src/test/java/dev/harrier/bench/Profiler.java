package dev.harrier.bench;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Profiles one benchmark phase with async-profiler, when the JVM runs it as an agent and
 * {@code -Dbench.profile=<file>} names the output (bench/README.md, "Profiling a drain"). The
 * agent registers an MBean; it is called by name, so the tests need no profiler on the class path.
 * Without the property or the agent this does nothing.
 */
final class Profiler {

    private static final String OUTPUT = System.getProperty("bench.profile", "");
    private static final String OPTIONS = System.getProperty("bench.profile.options", "event=cpu,interval=200us,threads");

    private final boolean running;

    private Profiler(boolean running) {
        this.running = running;
    }

    static Profiler start() {
        if (OUTPUT.isEmpty()) {
            return new Profiler(false);
        }
        try {
            execute("start," + OPTIONS);
            return new Profiler(true);
        } catch (Exception e) {
            System.out.printf("BENCH profile: not taken (%s); run with -javaagent:<async-profiler jar>%n", e);
            return new Profiler(false);
        }
    }

    /** Stops the profiler and writes collapsed stacks (one line a stack, with its sample count). */
    void stop() {
        if (!running) {
            return;
        }
        try {
            execute("stop,collapsed,file=" + OUTPUT);
            System.out.printf("BENCH profile: %s%n", OUTPUT);
        } catch (Exception e) {
            System.out.printf("BENCH profile: not written (%s)%n", e);
        }
    }

    private static void execute(String command) throws Exception {
        ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("one.profiler:type=AsyncProfiler"),
                "execute", new Object[] {command}, new String[] {String.class.getName()});
    }
}
