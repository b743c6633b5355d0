package dev.harrier.bench;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline benchmark (bench/README.md): the time from enqueueing an {@code each} of N {@code noop}
 * children to its {@code completed}, through two engines at the default 20 slots, against the same
 * N jobs enqueued flat with the batch call and drained: the pipeline's overhead. Rounds alternate.
 * Not part of the test suite: run it with {@code bench/pipeline.sh}.
 */
@QuarkusTest
@Tag("bench")
class PipelineBenchmark {

    private static final int CHILDREN = Integer.getInteger("bench.children", 10_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String WINDOWS = System.getProperty("bench.windows", "10000,100,10");

    @Inject
    EngineHarness harness;

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void eachAgainstFlat() {
        TestDatabase.clean();
        harness.start("a");
        harness.start("b");
        flat(2_000);
        each(2_000, 2_000);
        TestDatabase.clean();
        for (int round = 1; round <= ROUNDS; round++) {
            double flat = flat(CHILDREN);
            System.out.printf("BENCH pipeline round %d: %d noop jobs enqueued flat (batch) and drained by two engines: %.2f s (%.0f jobs/s)%n",
                    round, CHILDREN, flat, CHILDREN / flat);
            TestDatabase.clean();
            for (String window : WINDOWS.split(",")) {
                int concurrency = Integer.parseInt(window.strip());
                double each = each(CHILDREN, concurrency);
                System.out.printf("BENCH pipeline round %d: each of %d noop children, concurrency %d, enqueue to completed: "
                        + "%.2f s (%.0f children/s, %.2fx the flat time)%n", round, CHILDREN, concurrency, each, CHILDREN / each,
                        each / flat);
                TestDatabase.clean();
            }
        }
    }

    private double flat(int jobs) {
        long start = System.nanoTime();
        for (int done = 0; done < jobs; done += 10_000) {
            harness.submitMany(Collections.nCopies(Math.min(10_000, jobs - done), JobRequest.of("noop", harness.json("{}"))));
        }
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") >= jobs);
        return (System.nanoTime() - start) / 1e9;
    }

    private double each(int children, int concurrency) {
        String items = IntStream.range(0, children).mapToObj(Integer::toString).collect(Collectors.joining(","));
        long start = System.nanoTime();
        List<EnqueueResult> parent = harness.submitMany(List.of(JobRequest.of("each", harness.json(
                "{\"items\": [" + items + "], \"concurrency\": " + concurrency + ", \"job\": {\"kind\": \"noop\"}}"))));
        harness.awaitStatus(parent.get(0).job().id(), JobStatus.COMPLETED, Duration.ofMinutes(20));
        double seconds = (System.nanoTime() - start) / 1e9;
        long done = TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed' AND parent_id IS NOT NULL");
        if (done != children) {
            throw new AssertionError(done + " children completed, not " + children);
        }
        return seconds;
    }
}
