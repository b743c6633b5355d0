package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.CountingHandler;
import dev.harrier.testing.kinds.HoldHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults around a job's end: a shutdown that outlasts a lease, a database that drops the outcome's connection. */
@QuarkusTest
class EngineFaultsTest {

    @Inject
    EngineHarness harness;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
        TestDatabase.execute("DROP TRIGGER IF EXISTS outcome_blip ON harrier.jobs");
        TestDatabase.execute("DROP FUNCTION IF EXISTS public.outcome_blip()");
        TestDatabase.execute("DROP TABLE IF EXISTS public.outcome_blip_armed");
    }

    /**
     * Until the test disarms it ({@code DELETE FROM public.outcome_blip_armed}), the statement that
     * completes a job runs {@code step} first, in its own transaction (a row trigger; removed after each test).
     */
    private static void armOutcomeStep(String step) {
        TestDatabase.execute("CREATE TABLE public.outcome_blip_armed (armed boolean)");
        TestDatabase.execute("INSERT INTO public.outcome_blip_armed VALUES (true)");
        TestDatabase.execute("""
                CREATE FUNCTION public.outcome_blip() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.status = 'completed' AND EXISTS (SELECT 1 FROM public.outcome_blip_armed) THEN
                        %s;
                    END IF;
                    RETURN NEW;
                END $$""".formatted(step));
        TestDatabase.execute("CREATE TRIGGER outcome_blip BEFORE UPDATE ON harrier.jobs FOR EACH ROW EXECUTE FUNCTION public.outcome_blip()");
    }

    @Test
    void aShutdownGraceLongerThanTheLeaseKeepsRenewingItSoTheJobIsNeitherRescuedNorRunTwice() throws Exception {
        Engine leaving = harness.start("leaving", b -> b.lease(Duration.ofSeconds(1), Duration.ofMillis(250))
                .shutdownGrace(Duration.ofSeconds(6)));
        EnqueueResult enqueued = harness.submit("test-hold", "{\"key\": \"long-goodbye\", \"holdAttempts\": 1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> HoldHandler.STARTED.contains("long-goodbye#1"));
        Engine rescuer = harness.start("rescuer", b -> b.maintenance(true));

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> harness.stop(leaving));
        // Well past the one-second lease, the other instance looks for expired leases again and again.
        long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        while (System.nanoTime() < until) {
            assertThat(rescuer.maintenance().rescueOnce().await().indefinitely())
                    .as("a job whose instance is still draining is not rescued").isZero();
            Thread.sleep(100);
        }
        HoldHandler.release("long-goodbye", "finished during the grace");
        stopping.get();

        Job done = harness.job(enqueued.job().id());
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.resultJson()).contains("finished during the grace (attempt 1)");
        assertThat(HoldHandler.STARTED).doesNotContain("long-goodbye#2");
    }

    @Test
    void anOutcomeWhoseConnectionDropsIsWrittenAgainAndTheJobRunsOnce() {
        // While armed, completing a job stalls its statement; the test then kills that backend,
        // which is what a restarting or failing-over PostgreSQL does to the statement in flight.
        armOutcomeStep("PERFORM pg_sleep(60)");
        harness.start("blip");
        EnqueueResult enqueued = harness.submit("test-count", "{\"n\": 7}");
        UUID id = enqueued.job().id();

        await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%outcome%'") == 1);
        TestDatabase.execute("DELETE FROM public.outcome_blip_armed");
        TestDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%outcome%'");

        // Far sooner than the 30 s lease: the outcome is written again, not left for a rescue.
        Job done = harness.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(10));
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.resultJson()).isEqualTo("7");
        assertThat(CountingHandler.RUNS.get(id).get()).as("the handler ran once").isEqualTo(1);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE job_id = '" + id
                + "' AND type = 'status' AND data ->> 'status' = 'retrying'")).isZero();
    }

    @Test
    void anOutcomeThatDeadlocksIsWrittenAgainAndTheJobRunsOnce() throws Exception {
        // While armed, completing a job waits in its statement for an advisory lock the test holds;
        // the test then waits for the job's row, which the statement holds: a cycle. The test's
        // session waits longer before it looks for deadlocks, so PostgreSQL aborts the outcome's.
        armOutcomeStep("PERFORM pg_advisory_xact_lock(4242)");
        long deadlocks = TestDatabase.queryLong("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
        harness.start("deadlock");
        UUID id;
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET deadlock_timeout = '30s'");
            s.execute("SELECT pg_advisory_xact_lock(4242)");
            id = harness.submit("test-count", "{\"n\": 7}").job().id();
            await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event = 'advisory' AND query LIKE '%outcome%'") == 1);

            s.execute("SELECT 1 FROM harrier.jobs WHERE id = '" + id + "' FOR UPDATE");
            TestDatabase.execute("DELETE FROM public.outcome_blip_armed");
            c.commit();
        }

        // Far sooner than the 30 s lease: the outcome is written again (alone), not left for a rescue.
        Job done = harness.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(10));
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.resultJson()).isEqualTo("7");
        assertThat(CountingHandler.RUNS.get(id).get()).as("the handler ran once").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(TestDatabase.queryLong(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))
                .as("the outcome's statement was the one aborted").isGreaterThan(deadlocks));
    }

    @Test
    void aResultTheDatabaseCannotStoreFailsItsOwnJobAndNotTheOthersOfItsBatch() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.on("/nul", request -> request.response().putHeader("Content-Type", "application/json")
                    .end("{\"text\": \"a\\u0000b\"}"));
            stub.on("/ok", request -> request.response().putHeader("Content-Type", "application/json").end("{\"ok\": true}"));
            harness.start("batch");
            UUID nul = harness.submit("http", "{\"url\": \"" + stub.url("/nul") + "\"}").job().id();
            UUID ok = harness.submit("http", "{\"url\": \"" + stub.url("/ok") + "\"}").job().id();

            assertThat(harness.awaitStatus(ok, JobStatus.COMPLETED, Duration.ofSeconds(10)).resultJson()).contains("\"ok\": true");
            Job stored = harness.awaitStatus(nul, JobStatus.COMPLETED, Duration.ofSeconds(10));
            assertThat(stored.resultJson()).as("the NUL escape is dropped, the rest kept").contains("\"text\": \"ab\"");
        }
    }
}
