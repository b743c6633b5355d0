package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.QueueStore;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import dev.harrier.testing.kinds.OverlapHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Instances that die, jobs that are cancelled, instances that shut down, queues that pause. */
@QuarkusTest
class EngineLifecycleTest {

    @Inject
    EngineHarness harness;

    @Inject
    JobActions actions;

    @Inject
    QueueStore queues;

    @Inject
    MeterRegistry meters;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private EnqueueResult hold(String key, int holdAttempts) {
        return harness.submit("test-hold", "{\"key\": \"" + key + "\", \"holdAttempts\": " + holdAttempts + "}");
    }

    @Test
    void anInstanceThatStopsHeartbeatingHasItsJobsRescuedAndItsLateCompletionRefused() {
        // Cut off, as far as the job is concerned: it never renews its 2 s lease, and its one slot
        // stays taken by the attempt, which runs on and tries to write its outcome when released.
        harness.start("dying", b -> b.lease(Duration.ofSeconds(2), Duration.ofHours(1)).slots(1));
        EnqueueResult enqueued = hold("rescue-me", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> HoldHandler.STARTED.contains("rescue-me#1"));
        double refusedBefore = refused();

        Engine survivor = harness.start("survivor", b -> b.maintenance(true));
        await().atMost(Duration.ofSeconds(60)).until(() -> survivor.maintenance().rescueOnce().await().indefinitely() > 0
                || harness.job(enqueued.job().id()).status() != JobStatus.RUNNING);

        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(20));
        assertThat(done.attempt()).as("the lost attempt counts").isEqualTo(2);
        assertThat(done.resultJson()).contains("done by attempt 2");
        assertThat(survivor.startedCount()).isEqualTo(1);

        HoldHandler.release("rescue-me", "late");
        await().atMost(Duration.ofSeconds(10)).until(() -> refused() > refusedBefore);
        Job after = harness.job(enqueued.job().id());
        assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(after.resultJson()).doesNotContain("late");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE job_id = '"
                + enqueued.job().id() + "' AND data ->> 'status' = 'retrying' AND data ->> 'error' LIKE '%lease expired%dying%'"))
                .as("events: %s", TestDatabase.queryText("SELECT string_agg(seq || ' ' || data::text, ' | ' ORDER BY seq) FROM harrier.job_events WHERE job_id = '"
                        + enqueued.job().id() + "'"))
                .isEqualTo(1);
        assertThat(done.error()).as("the latest failed attempt was the rescued one").isNotNull();
        assertThat(TestDatabase.queryText("SELECT data ->> 'message' FROM harrier.job_events WHERE job_id = '" + enqueued.job().id()
                + "' AND type = 'log' AND data ->> 'level' = 'error'"))
                .as("a rescued attempt writes its failure to the job's log too")
                .startsWith("attempt 1 failed: the lease expired: instance dying").endsWith("; retrying");
        assertThat(TestDatabase.queryText("SELECT error_type FROM harrier.jobs WHERE id = '" + enqueued.job().id() + "'"))
                .isEqualTo("lease_expired");
    }

    @Test
    void cancellingARunningJobStopsItsPipelineAndEndsItCancelled() {
        harness.start("runner");
        EnqueueResult enqueued = hold("cancel-me", 9);
        await().atMost(Duration.ofSeconds(10)).until(() -> HoldHandler.STARTED.contains("cancel-me#1"));

        JobActions.Result result = actions.cancel("default", enqueued.job().id()).await().indefinitely();

        assertThat(result).isEqualTo(JobActions.Result.REQUESTED);
        Job cancelled = harness.awaitStatus(enqueued.job().id(), JobStatus.CANCELLED, Duration.ofSeconds(10));
        assertThat(HoldHandler.SAW_CANCEL).contains("cancel-me");
        assertThat(cancelled.finishedAt()).isNotNull();
        assertThat(actions.cancel("default", enqueued.job().id()).await().indefinitely()).isEqualTo(JobActions.Result.CONFLICT);
    }

    @Test
    void aCancelRequestedBeforeTheAttemptFailsEndsTheJobCancelledNotRetried() {
        harness.start("runner");
        EnqueueResult enqueued = hold("cancel-then-fail", 9);
        await().atMost(Duration.ofSeconds(10)).until(() -> HoldHandler.STARTED.contains("cancel-then-fail#1"));
        // The request is recorded but its notification has not reached the instance yet.
        TestDatabase.execute("UPDATE harrier.jobs SET cancel_requested_at = now() WHERE id = '" + enqueued.job().id() + "'");

        HoldHandler.fail("cancel-then-fail", "upstream 503");

        Job ended = harness.awaitStatus(enqueued.job().id(), JobStatus.CANCELLED, Duration.ofSeconds(10));
        assertThat(ended.attempt()).isEqualTo(1);
        assertThat(ended.finishedAt()).isNotNull();
    }

    @Test
    void theHeartbeatRenewsOnlyTheLeasesOfJobsTheInstanceStillRuns() {
        Engine engine = harness.start("forgetful");
        TestDatabase.execute("""
                INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, attempt, lease_owner, lease_expires_at)
                VALUES ('00000000-0000-7000-8000-0000000000f1', 'default', 'default', 'noop', 'running', 5, now(), 1,
                        'forgetful', now() + interval '2 seconds')""");
        String before = TestDatabase.queryText("SELECT lease_expires_at::text FROM harrier.jobs WHERE id = '00000000-0000-7000-8000-0000000000f1'");

        engine.heartbeatOnce().await().indefinitely();

        assertThat(TestDatabase.queryText("SELECT lease_expires_at::text FROM harrier.jobs WHERE id = '00000000-0000-7000-8000-0000000000f1'"))
                .as("a job this instance does not run is left to expire and be rescued").isEqualTo(before);
    }

    @Test
    void cancellingAWaitingJobIsImmediateAndRetryRunsItAgain() {
        EnqueueResult enqueued = harness.submit("noop", "{}");

        assertThat(actions.cancel("default", enqueued.job().id()).await().indefinitely()).isEqualTo(JobActions.Result.DONE);
        assertThat(harness.job(enqueued.job().id()).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(actions.cancel("other-workspace", enqueued.job().id()).await().indefinitely()).isEqualTo(JobActions.Result.NOT_FOUND);

        assertThat(actions.retry("default", enqueued.job().id()).await().indefinitely()).isEqualTo(JobActions.Result.DONE);
        harness.start("runner");
        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(actions.retry("default", enqueued.job().id()).await().indefinitely()).isEqualTo(JobActions.Result.CONFLICT);
    }

    @Test
    void aGracefulShutdownFinishesShortJobsAndHandsBackTheRestWithoutBurningAnAttempt() {
        Engine leaving = harness.start("leaving", b -> b.shutdownGrace(Duration.ofSeconds(2)));
        List<UUID> quick = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            quick.add(harness.submit("noop", "{\"sleepMs\": 500}").job().id());
        }
        List<UUID> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slow.add(hold("shutdown-" + i, 1).job().id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> leaving.runningCount() == 8);

        harness.stop(leaving);

        for (UUID id : quick) {
            assertThat(harness.job(id).status()).isEqualTo(JobStatus.COMPLETED);
        }
        for (UUID id : slow) {
            Job handedBack = harness.job(id);
            assertThat(handedBack.status()).isEqualTo(JobStatus.PENDING);
            assertThat(handedBack.attempt()).isZero();
        }
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running'")).isZero();

        for (int i = 0; i < 3; i++) {
            HoldHandler.release("shutdown-" + i, "finished elsewhere");
        }
        harness.start("next");
        for (UUID id : slow) {
            Job done = harness.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(10));
            assertThat(done.attempt()).isEqualTo(1);
            assertThat(done.resultJson()).contains("finished elsewhere (attempt 1)");
        }
    }

    @Test
    void aShutdownWaitsForAClaimInFlightAndHandsItsJobsBackWithoutBurningAnAttempt() throws Exception {
        UUID id = harness.submit("noop", "{}").job().id();
        CompletableFuture<Void> stopped;
        try (Connection lock = TestDatabase.connect(); Statement statement = lock.createStatement()) {
            lock.setAutoCommit(false);
            statement.execute("LOCK TABLE harrier.jobs IN EXCLUSIVE MODE");
            Engine leaving = harness.start("leaving", b -> b.shutdownGrace(Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity "
                    + "WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE SKIP LOCKED%'") > 0);

            stopped = CompletableFuture.runAsync(() -> harness.stop(leaving));
            Thread.sleep(1000);
            assertThat(stopped).as("the stop waits for the claim that waits for the lock").isNotDone();
            lock.commit();
        }
        stopped.get(30, TimeUnit.SECONDS);

        Job handedBack = harness.job(id);
        assertThat(handedBack.status()).isEqualTo(JobStatus.PENDING);
        assertThat(handedBack.attempt()).isZero();
    }

    @Test
    void anAttemptThatOutlivesItsTimeoutDuringTheShutdownGraceFailsAndIsNotHandedBack() {
        Engine leaving = harness.start("leaving", b -> b.shutdownGrace(Duration.ofSeconds(4)));
        EnqueueResult hung = harness.submit(new JobRequest("test-hold", null,
                harness.json("{\"key\": \"hung-at-shutdown\", \"holdAttempts\": 9}"), null, null, 1, 1, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> leaving.runningCount() == 1);

        harness.stop(leaving);

        Job ended = harness.job(hung.job().id());
        assertThat(ended.status()).isEqualTo(JobStatus.FAILED);
        assertThat(ended.error().message()).contains("timed out after 1 s");
    }

    @Test
    void aPausedQueueRunsNothingUntilResumed() {
        queues.update("default", "paused-q", true, false, null).await().indefinitely();
        Engine engine = harness.start("runner");
        EnqueueResult enqueued = harness.submit(new JobRequest("noop", "paused-q", harness.json("{}"), null, null,
                null, null, null, null, null));

        engine.wakeAll();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> harness.job(enqueued.job().id()).status() == JobStatus.PENDING);

        queues.update("default", "paused-q", false, false, null).await().indefinitely();
        harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));
    }

    @Test
    void aQueueConcurrencyLimitHoldsAcrossInstances() {
        queues.update("default", "narrow", false, true, 2).await().indefinitely();
        harness.start("a");
        harness.start("b");
        for (int i = 0; i < 6; i++) {
            harness.submit(new JobRequest("test-hold", "narrow", harness.json("{\"key\": \"narrow\", \"holdAttempts\": 1}"),
                    null, null, null, null, null, null, null));
        }

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running'") == 2);

        HoldHandler.release("narrow", "ok");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") == 6);
    }

    @Test
    void handlersOfALimitedQueueNeverRunMoreThanItsLimitAcrossInstancesWhileOutcomesAreWritten() {
        queues.update("default", "narrow", false, true, 3).await().indefinitely();
        // Slots free when handlers return, and claims leave those jobs out of the count while their
        // outcomes are written: the handlers that run at once must still never pass the limit.
        harness.start("a", b -> b.pollInterval(Duration.ofHours(1)));
        harness.start("b", b -> b.pollInterval(Duration.ofHours(1)));
        String group = "limited-" + UUID.randomUUID();
        List<JobRequest> jobs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            jobs.add(new JobRequest("test-overlap", "narrow",
                    harness.json("{\"group\": \"" + group + "\", \"n\": " + i + ", \"sleepMs\": " + (1 + i % 3 * 5) + "}"),
                    null, null, null, null, null, null, null));
        }
        harness.submitMany(jobs);

        await().atMost(Duration.ofSeconds(30)).until(() -> OverlapHandler.seen(group).size() == 60
                && TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed' AND queue = 'narrow'") == 60);
        assertThat(OverlapHandler.most(group)).as("handlers running at once on both instances").isBetween(2, 3);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'status' "
                + "AND data ->> 'status' = 'running'")).as("each ran once").isEqualTo(60);
    }

    @Test
    void aLimitedQueueRefillsWhenAJobEndsNotAtTheNextPoll() {
        queues.update("default", "narrow", false, true, 2).await().indefinitely();
        // No poll within the test: only a job's end can start the next.
        harness.start("a", b -> b.pollInterval(Duration.ofHours(1)));
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(harness.submit(new JobRequest("noop", "narrow", harness.json("{\"sleepMs\": 50}"),
                    null, null, null, null, null, null, null)).job().id());
        }

        for (UUID id : ids) {
            harness.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(20));
        }
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'status' "
                + "AND data ->> 'status' = 'running'")).as("each ran once").isEqualTo(8);
    }

    private double refused() {
        return meters.find("harrier.jobs.outcomes.refused").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
