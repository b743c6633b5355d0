package dev.harrier.bench;

import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ceiling that PostgreSQL puts on the drain (bench/README.md): the engine's own claim and
 * outcome statements, a claim of 1,000 in flight while the previous 1,000 outcomes are written, as
 * in the engine, but with no engine, handler or event loop work in between. Run it with
 * {@code bench/queue.sh -Dtest=QueueSqlBenchmark}. Like {@link QueueBenchmark} it first runs
 * warm-up rounds ({@code -Dbench.warm-up-rounds}, of {@code bench.jobs} jobs each);
 * {@code -Dbench.drop-indexes=a,b} drops the named indexes of jobs before the measured round (the
 * schema is recreated by the next test run).
 */
@QuarkusTest
@Tag("bench")
class QueueSqlBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 100_000);
    private static final int BATCH = 1000;
    private static final String DROP_INDEXES = System.getProperty("bench.drop-indexes", "");
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warm-up-rounds", 3);

    @Inject
    EngineHarness harness;

    @Inject
    JobClaimer claimer;

    @Inject
    OutcomeWriter writer;

    private record Round(double seconds, String cpuPerJob) {
    }

    @Test
    void claimAndCompleteWithoutTheEngine() throws Exception {
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            claimAndComplete();
        }
        for (String index : DROP_INDEXES.split(",")) {
            if (!index.isBlank()) {
                TestDatabase.execute("DROP INDEX harrier." + index.strip());
            }
        }
        Round measured = claimAndComplete();
        System.out.printf("%nBENCH sql ceiling: claimed and completed %d jobs in %.2f s = %.0f jobs/s (batches of %d%s)%n",
                JOBS, measured.seconds(), JOBS / measured.seconds(), BATCH,
                DROP_INDEXES.isBlank() ? "" : ", without " + DROP_INDEXES);
        System.out.printf("BENCH sql ceiling: CPU: %s%n%n", measured.cpuPerJob());
    }

    /** Enqueues {@code JOBS} jobs, then claims and completes them all. */
    private Round claimAndComplete() throws Exception {
        TestDatabase.clean();
        for (int done = 0; done < JOBS; done += 10_000) {
            harness.submitMany(Collections.nCopies(Math.min(10_000, JOBS - done), JobRequest.of("noop", harness.json("{}"))));
        }
        TestDatabase.execute("VACUUM ANALYZE harrier.jobs");

        BlockingQueue<List<ClaimedJob>> claimed = new ArrayBlockingQueue<>(1);
        CpuMeter cpu = CpuMeter.start();
        long start = System.nanoTime();
        Thread completer = Thread.ofPlatform().start(() -> {
            try {
                for (List<ClaimedJob> batch = claimed.take(); !batch.isEmpty(); batch = claimed.take()) {
                    writer.write(batch.stream().map(job -> Outcome.completed(job, "null")).toList(), "bench")
                            .await().indefinitely();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            List<ClaimedJob> batch;
            do {
                batch = claimer.claim("default", "default", BATCH, "bench", Duration.ofMinutes(5)).await().indefinitely().jobs();
                claimed.put(batch);
            } while (!batch.isEmpty());
        } finally {
            // The end marker, also when a claim failed: the completer must not wait forever.
            claimed.offer(List.of(), 1, TimeUnit.MINUTES);
            completer.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String cpuPerJob = cpu.perJob(JOBS);
        long left = TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status <> 'completed'");
        if (left != 0) {
            throw new AssertionError(left + " jobs did not complete");
        }
        return new Round(seconds, cpuPerJob);
    }
}
