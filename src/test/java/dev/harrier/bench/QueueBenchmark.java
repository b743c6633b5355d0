package dev.harrier.bench;

import dev.harrier.queue.JobRequest;
import dev.harrier.queue.QueueStore;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.worker.Engine;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The queue benchmark (bench/README.md): drain throughput of no-op jobs, and pickup latency at a
 * steady enqueue rate. Not part of the test suite: run it with {@code bench/queue.sh}.
 */
@QuarkusTest
@Tag("bench")
class QueueBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 100_000);
    private static final int BATCH = 10_000;
    private static final int SLOTS = Integer.getInteger("bench.slots", 2000);
    private static final int RATE = Integer.getInteger("bench.rate", 200);
    private static final int LATENCY_SECONDS = Integer.getInteger("bench.latency-seconds", 20);
    private static final int WARM_UP_JOBS = Integer.getInteger("bench.warm-up-jobs", 100_000);
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warm-up-rounds", 3);
    // A queue-wide concurrency limit on the drained queue (none unless set).
    private static final Integer CONCURRENCY = Integer.getInteger("bench.concurrency");
    // Instances that drain the queue together, in this JVM (one unless set).
    private static final int INSTANCES = Integer.getInteger("bench.instances", 1);

    @Inject
    EngineHarness harness;

    @Inject
    QueueStore queues;

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void throughput() {
        TestDatabase.clean();
        for (int round = 0; round < WARM_UP_ROUNDS && WARM_UP_JOBS > 0; round++) {
            // The same enqueue and drain, so that the measured drain runs the code a long-running
            // instance runs: until a few hundred thousand jobs have passed, the JIT compilers
            // take about as much CPU as the event loop (bench/README.md, 2026-11-24 b). The
            // printed JIT share says how much they still took during the measured drain.
            enqueue(WARM_UP_JOBS);
            TestDatabase.execute("VACUUM ANALYZE harrier.jobs");
            drain("warm-up", WARM_UP_JOBS);
            harness.stopAll();
            TestDatabase.clean();
        }
        long enqueueStart = System.nanoTime();
        enqueue(JOBS);
        double enqueueSeconds = (System.nanoTime() - enqueueStart) / 1e9;
        TestDatabase.execute("VACUUM ANALYZE harrier.jobs");

        // A profiled drain's CPU per job includes the profiler's own.
        Profiler profiler = Profiler.start();
        CpuMeter cpu = CpuMeter.start();
        long drainStart = System.nanoTime();
        List<Engine> engines;
        double drainSeconds;
        String cpuPerJob;
        try {
            engines = drain("bench", JOBS);
            drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            cpuPerJob = cpu.perJob(JOBS);
        } finally {
            profiler.stop();
        }
        long left = TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status <> 'completed'");
        if (left != 0) {
            throw new AssertionError(left + " jobs did not complete");
        }

        System.out.printf("%nBENCH throughput: enqueued %d noop jobs in %.2f s (%.0f jobs/s, batches of %d)%n",
                JOBS, enqueueSeconds, JOBS / enqueueSeconds, BATCH);
        System.out.printf("BENCH throughput: drained %d jobs in %.2f s = %.0f jobs/s (%d instance(s), %d slots, %s, started %s)%n",
                JOBS, drainSeconds, JOBS / drainSeconds, INSTANCES, SLOTS,
                CONCURRENCY == null ? "no queue limit" : "a queue concurrency of " + CONCURRENCY,
                engines.stream().map(engine -> Long.toString(engine.startedCount())).collect(Collectors.joining(" + ")));
        System.out.printf("BENCH throughput: drain CPU: %s%n%n", cpuPerJob);
    }

    @Test
    void pickupLatency() {
        TestDatabase.clean();
        harness.start("bench", b -> b.slots(100));
        // Warm up the statements and the JIT, then measure.
        runAtRate(RATE, 2);
        LatencyProbeHandler.LATENCIES_NANOS.clear();
        int jobs = runAtRate(RATE, LATENCY_SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> LatencyProbeHandler.LATENCIES_NANOS.size() >= jobs);

        List<Long> sorted = new ArrayList<>(LatencyProbeHandler.LATENCIES_NANOS);
        Collections.sort(sorted);
        System.out.printf("%nBENCH pickup latency over %d jobs at %d/s: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n%n",
                sorted.size(), RATE, percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private void enqueue(int jobs) {
        for (int done = 0; done < jobs; done += BATCH) {
            List<JobRequest> batch = Collections.nCopies(Math.min(BATCH, jobs - done), JobRequest.of("noop", harness.json("{}")));
            harness.submitMany(batch);
        }
    }

    /** Starts the engines and waits until together they have run {@code jobs} jobs. */
    private List<Engine> drain(String instance, int jobs) {
        if (CONCURRENCY != null) {
            queues.update("default", "default", false, true, CONCURRENCY).await().indefinitely();
        }
        List<Engine> engines = new ArrayList<>();
        for (int i = 1; i <= INSTANCES; i++) {
            engines.add(harness.start(INSTANCES == 1 ? instance : instance + "-" + i, b -> b.slots(SLOTS)));
        }
        // Polled in memory: a count over the table every few milliseconds would compete with the drain.
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(5)).until(() ->
                engines.stream().mapToLong(Engine::startedCount).sum() == jobs
                        && engines.stream().mapToInt(Engine::runningCount).sum() == 0);
        return engines;
    }

    /** Enqueues single jobs on a fixed schedule (not back to back): returns how many. */
    private int runAtRate(int perSecond, int seconds) {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        int total = perSecond * seconds;
        for (int i = 0; i < total; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long enqueuedAt = System.nanoTime();
            harness.submit("bench-latency", "{\"enqueuedAt\": " + enqueuedAt + "}");
            next += interval;
        }
        return total;
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}
