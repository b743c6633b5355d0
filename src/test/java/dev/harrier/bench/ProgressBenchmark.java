package dev.harrier.bench;

import dev.harrier.events.EventAppender;
import dev.harrier.events.EventDraft;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobRequest;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Progress writes from many running jobs (bench/README.md, "The notification lock"): each of
 * {@code bench.jobs} claimed jobs writes a progress event as soon as its previous one is stored (no
 * throttle: the write path's capacity), for {@code bench.seconds}, alone and then beside
 * {@code bench.enqueuers} threads making single-job enqueues (writers of other tables whose
 * notifications meet the events' at the lock of PostgreSQL's notification queue), with the
 * enqueuers alone between them. Every written
 * event must be announced on the events channel. Run it with {@code bench/progress.sh}.
 */
@QuarkusTest
@Tag("bench")
class ProgressBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 1000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int ENQUEUERS = Integer.getInteger("bench.enqueuers", 16);

    @Inject
    EngineHarness harness;

    @Inject
    JobClaimer claimer;

    @Inject
    EventAppender appender;

    @Inject
    Notifier notifier;

    private final AtomicLong announced = new AtomicLong();

    private record Round(long writes, long enqueues, double seconds, long[] latencyMicros, String cpu) {

        String describe(String label) {
            Arrays.sort(latencyMicros);
            if (writes == 0) {
                return String.format("%s: %.0f single enqueues/s", label, enqueues / seconds);
            }
            return String.format("%s: %.0f progress writes/s (p50 %.1f ms, p99 %.1f ms)%s; %s", label, writes / seconds,
                    percentile(0.50) / 1e3, percentile(0.99) / 1e3,
                    enqueues == 0 ? "" : String.format(", %.0f single enqueues/s beside", enqueues / seconds), cpu);
        }

        private double percentile(double p) {
            return latencyMicros.length == 0 ? Double.NaN : latencyMicros[(int) Math.min(latencyMicros.length - 1, p * latencyMicros.length)];
        }
    }

    @Test
    void progressWritesFromRunningJobs() throws Exception {
        TestDatabase.clean();
        harness.submitMany(Collections.nCopies(JOBS, JobRequest.of("noop", harness.json("{}"))));
        List<UUID> running = claimer.claim("default", "default", JOBS, "bench", Duration.ofHours(1))
                .await().indefinitely().jobs().stream().map(ClaimedJob::id).toList();
        Runnable unsubscribe = notifier.subscribe(Channel.EVENTS, payload -> announced.addAndGet(payload.split(",").length));
        try {
            write(running, 2, 0); // warm-up
            for (int round = 1; round <= ROUNDS; round++) {
                System.out.printf("BENCH progress round %d: %s%n", round,
                        write(running, SECONDS, 0).describe(running.size() + " running jobs"));
                System.out.printf("BENCH progress round %d: %s%n", round,
                        write(List.of(), SECONDS, ENQUEUERS).describe("no progress writes, " + ENQUEUERS + " enqueuers"));
                System.out.printf("BENCH progress round %d: %s%n", round,
                        write(running, SECONDS, ENQUEUERS).describe(running.size() + " running jobs, " + ENQUEUERS + " enqueuers"));
            }
        } finally {
            unsubscribe.run();
        }
    }

    /** Every job writes progress in a closed loop for {@code seconds}; then every event must be announced. */
    private Round write(List<UUID> jobs, int seconds, int enqueuers) throws Exception {
        long announcedBefore = announced.get();
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        AtomicLong enqueues = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        CpuMeter cpu = CpuMeter.start();
        long start = System.nanoTime();
        for (UUID job : jobs) {
            next(job, 0, go, writes, inFlight, latencies);
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < enqueuers; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (go.get()) {
                    harness.submit(JobRequest.of("noop", harness.json("{}")));
                    enqueues.incrementAndGet();
                }
            }));
        }
        TimeUnit.SECONDS.sleep(seconds);
        go.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long written = writes.get();
        long enqueued = enqueues.get();
        String cpuPerWrite = cpu.perJob(written);
        for (Thread thread : threads) {
            thread.join();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 0);
        long total = writes.get();
        Awaitility.await("every written event announced").atMost(Duration.ofSeconds(30))
                .until(() -> announced.get() - announcedBefore >= total);
        long[] sorted;
        synchronized (latencies) {
            sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        }
        return new Round(written, enqueued, elapsed, sorted, cpuPerWrite.replace("per job", "per write"));
    }

    private void next(UUID job, long n, AtomicBoolean go, AtomicLong writes, AtomicLong inFlight, List<Long> latencies) {
        if (!go.get()) {
            return;
        }
        inFlight.incrementAndGet();
        long sent = System.nanoTime();
        appender.append(new EventDraft(job, "progress", "{\"step\":\"bench\",\"done\":" + n + ",\"total\":null,\"details\":null}"))
                .subscribe().with(ok -> {
                    latencies.add((System.nanoTime() - sent) / 1000);
                    writes.incrementAndGet();
                    inFlight.decrementAndGet();
                    next(job, n + 1, go, writes, inFlight, latencies);
                }, failure -> {
                    inFlight.decrementAndGet();
                    throw new AssertionError("a progress write failed", failure);
                });
    }
}
