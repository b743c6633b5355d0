package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.CountingHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EngineRunsJobsTest {

    @Inject
    EngineHarness harness;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        CountingHandler.RUNS.clear();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void aNoopJobRunsAndCompletesWithItsResult() {
        harness.start("solo");
        EnqueueResult enqueued = harness.submit("noop", "{\"sleepMs\": 10}");

        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));

        assertThat(done.attempt()).isEqualTo(1);
        assertThat(harness.json(done.resultJson()).get("sleptMs").asLong()).isEqualTo(10);
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.finishedAt()).isNotNull();
    }

    @Test
    void twentyThousandJobsAcrossTwoInstancesEachRunExactlyOnce() {
        Engine a = harness.start("instance-a", b -> b.slots(200));
        Engine b = harness.start("instance-b", b2 -> b2.slots(200));
        List<UUID> ids = new ArrayList<>();
        for (int batch = 0; batch < 4; batch++) {
            List<JobRequest> requests = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                requests.add(JobRequest.of("test-count", harness.json("{\"n\": " + i + "}")));
            }
            harness.submitMany(requests).forEach(r -> ids.add(r.job().id()));
        }

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") == 20_000);

        Set<UUID> distinct = new HashSet<>(ids);
        assertThat(distinct).hasSize(20_000);
        assertThat(CountingHandler.RUNS.keySet()).isEqualTo(distinct);
        assertThat(CountingHandler.RUNS.values()).allMatch(runs -> runs.get() == 1);
        assertThat(a.startedCount() + b.startedCount()).isEqualTo(20_000);
        assertThat(a.startedCount()).as("instance a ran some").isPositive();
        assertThat(b.startedCount()).as("instance b ran some").isPositive();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE attempt <> 1")).isZero();
    }

    @Test
    void fiftyConcurrentEnqueuesWithOneUniqueKeyCreateOneJob() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<EnqueueResult> results = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 50; i++) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                results.add(harness.submit(new JobRequest("noop", null, harness.json("{}"), null, null, null, null,
                        "search:user-42", null, null)));
            });
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }

        assertThat(results).hasSize(50);
        assertThat(results.stream().map(r -> r.job().id()).distinct()).hasSize(1);
        assertThat(results.stream().filter(r -> !r.duplicate())).hasSize(1);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE unique_key = 'search:user-42'")).isEqualTo(1);
    }

    @Test
    void aUniqueKeyIsFreeAgainOnceItsJobIsTerminal() {
        harness.start("solo");
        JobRequest request = new JobRequest("noop", null, harness.json("{}"), null, null, null, null, "once", null, null);
        EnqueueResult first = harness.submit(request);
        harness.awaitStatus(first.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));

        EnqueueResult second = harness.submit(request);

        assertThat(second.duplicate()).isFalse();
        assertThat(second.job().id()).isNotEqualTo(first.job().id());
    }

    @Test
    void aJobWithARunTimeInTheFutureWaitsAsScheduledThenRuns() {
        harness.start("solo", b -> b.maintenance(true));
        Instant runAt = Instant.now().plusMillis(1500);
        EnqueueResult enqueued = harness.submit(new JobRequest("noop", null, harness.json("{}"), null, runAt,
                null, null, null, null, null));

        assertThat(enqueued.job().status()).isEqualTo(JobStatus.SCHEDULED);
        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(15));
        assertThat(done.startedAt()).isAfterOrEqualTo(runAt);
    }

    @Test
    void higherPriorityJobsRunFirst() {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int priority = i % 2 == 0 ? 9 : 0;
            requests.add(new JobRequest("test-count", null, harness.json("{\"n\": " + priority + "}"), priority,
                    null, null, null, null, null, null));
        }
        harness.submitMany(requests);
        harness.start("single-slot", b -> b.slots(1));

        await().atMost(Duration.ofSeconds(30)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") == 20);
        long lastUrgent = TestDatabase.queryLong("SELECT max(extract(epoch FROM started_at) * 1e6)::bigint FROM harrier.jobs WHERE priority = 0");
        long firstLax = TestDatabase.queryLong("SELECT min(extract(epoch FROM started_at) * 1e6)::bigint FROM harrier.jobs WHERE priority = 9");
        assertThat(lastUrgent).isLessThanOrEqualTo(firstLax);
    }

}
