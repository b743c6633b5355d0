package dev.harrier.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.TestClock;
import dev.harrier.testing.TestDatabase;
import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MaintenanceTest {

    private static final MaintenanceSettings SETTINGS = new MaintenanceSettings(Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(7), Duration.ofDays(30));

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    TestClock clock;

    @Inject
    MeterRegistry meters;

    private Maintenance maintenance(String instance) {
        return new Maintenance(pool, instance, SETTINGS, clock, Ticker.SYSTEM, meters);
    }

    /** As the service runs it: on the system's clock, so that its statements take the database's now(). */
    private Maintenance onTheSystemsClock(String instance) {
        return new Maintenance(pool, instance, SETTINGS, Clock.systemUTC(), Ticker.SYSTEM, meters);
    }

    private double leaderGauge(String instance) {
        return meters.get("harrier.maintenance.leader").tag("instance", instance).gauge().value();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void oneInstanceLeadsAtATimeAndAnotherTakesOverWhenTheLeaderStopsRenewing() throws Exception {
        Maintenance a = maintenance("a");
        Maintenance b = maintenance("b");

        assertThat(a.tryLead().await().indefinitely()).isTrue();
        assertThat(b.tryLead().await().indefinitely()).isFalse();
        assertThat(a.tryLead().await().indefinitely()).as("the leader renews").isTrue();

        clock.advance(Duration.ofMillis(1900));
        assertThat(b.tryLead().await().indefinitely()).as("a's row holds for its TTL").isFalse();
        clock.advance(Duration.ofMillis(200));
        assertThat(b.tryLead().await().indefinitely()).as("b takes over once a's row expired").isTrue();
        assertThat(a.tryLead().await().indefinitely()).isFalse();
        assertThat(leaderGauge("a")).isEqualTo(0.0);
        assertThat(leaderGauge("b")).as("the gauge of this test's b, not of an earlier one").isEqualTo(1.0);
    }

    @Test
    void withTheSystemsClockALeadersExpiryIsWrittenAndJudgedByTheDatabase() {
        Maintenance earlierB = onTheSystemsClock("b");
        assertThat(earlierB.tryLead().await().indefinitely()).isTrue();
        TestDatabase.execute("DELETE FROM harrier.leaders");
        Maintenance a = onTheSystemsClock("a");
        Maintenance b = onTheSystemsClock("b");
        assertThat(leaderGauge("b")).as("the gauge of the new b, which has not led, not of the earlier one")
                .isEqualTo(0.0);

        assertThat(a.tryLead().await().indefinitely()).isTrue();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.leaders WHERE holder = 'a' "
                + "AND expires_at BETWEEN now() + interval '1 second' AND now() + interval '2 seconds'"))
                .as("expires the TTL after the database's now").isEqualTo(1);
        assertThat(b.tryLead().await().indefinitely()).isFalse();

        TestDatabase.execute("UPDATE harrier.leaders SET expires_at = now() - interval '1 millisecond'");
        assertThat(b.tryLead().await().indefinitely()).as("expired by the database's clock").isTrue();
        assertThat(leaderGauge("b")).isEqualTo(1.0);
    }

    @Test
    void aLeaderThatStopsGivesLeadershipUpAtOnce() {
        Maintenance a = maintenance("a");
        Maintenance b = maintenance("b");
        a.tryLead().await().indefinitely();

        a.stop(vertx).await().indefinitely();

        assertThat(b.tryLead().await().indefinitely()).isTrue();
    }

    @Test
    void terminalJobsArePrunedAfterTheirRetentionWithTheirEventsAndLiveJobsAreKept() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, finished_at) VALUES
                      ('00000000-0000-7000-8000-000000000001', 'default', 'default', 'noop', 'completed', 5, now(), now() - interval '8 days'),
                      ('00000000-0000-7000-8000-000000000002', 'default', 'default', 'noop', 'completed', 5, now(), now() - interval '6 days'),
                      ('00000000-0000-7000-8000-000000000003', 'default', 'default', 'noop', 'failed', 5, now(), now() - interval '8 days'),
                      ('00000000-0000-7000-8000-000000000004', 'default', 'default', 'noop', 'failed', 5, now(), now() - interval '31 days'),
                      ('00000000-0000-7000-8000-000000000005', 'default', 'default', 'noop', 'pending', 5, now() - interval '90 days', NULL)""");
            s.execute("""
                    INSERT INTO harrier.job_events (job_id, seq, type, data)
                    VALUES ('00000000-0000-7000-8000-000000000001', 1, 'status', '{}')""");
        }

        long deleted = onTheSystemsClock("a").pruneOnce().await().indefinitely();

        assertThat(deleted).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT string_agg(right(id::text, 1), ',' ORDER BY id) FROM harrier.jobs")).isEqualTo("2,3,5");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events")).isZero();
    }

    @Test
    void everyWorkspacesTerminalJobsArePrunedEachOutcomeAfterItsOwnRetention() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, finished_at) VALUES
                      ('00000000-0000-7000-8000-000000000001', 'acme', 'default', 'noop', 'completed', 5, now(), now() - interval '8 days'),
                      ('00000000-0000-7000-8000-000000000002', 'acme', 'default', 'noop', 'failed', 5, now(), now() - interval '8 days'),
                      ('00000000-0000-7000-8000-000000000003', 'beta', 'default', 'noop', 'cancelled', 5, now(), now() - interval '8 days'),
                      ('00000000-0000-7000-8000-000000000004', 'beta', 'default', 'noop', 'cancelled', 5, now(), now() - interval '6 days'),
                      ('00000000-0000-7000-8000-000000000005', 'beta', 'default', 'noop', 'pending', 5, now(), NULL),
                      ('00000000-0000-7000-8000-000000000006', 'zeta', 'default', 'noop', 'failed', 5, now(), now() - interval '31 days'),
                      ('00000000-0000-7000-8000-000000000007', 'zeta', 'default', 'noop', 'completed', 5, now(), now() - interval '1 day')""");
        }

        long deleted = onTheSystemsClock("a").pruneOnce().await().indefinitely();

        assertThat(TestDatabase.queryText("SELECT string_agg(right(id::text, 1), ',' ORDER BY id) FROM harrier.jobs"))
                .as("the first, a middle and the last workspace each lose what is past its outcome's retention")
                .isEqualTo("2,4,5,7");
        assertThat(deleted).isEqualTo(3);
    }

    @Test
    void dueScheduledAndRetryingJobsBecomePendingAndFutureOnesWait() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at) VALUES
                      ('00000000-0000-7000-8000-000000000001', 'default', 'default', 'noop', 'scheduled', 5, now() - interval '1 second'),
                      ('00000000-0000-7000-8000-000000000002', 'default', 'default', 'noop', 'retrying', 5, now() - interval '1 second'),
                      ('00000000-0000-7000-8000-000000000003', 'default', 'default', 'noop', 'scheduled', 5, now() + interval '1 hour')""");
        }

        long promoted = onTheSystemsClock("a").promoteOnce().await().indefinitely();

        assertThat(promoted).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT string_agg(status::text, ',' ORDER BY id) FROM harrier.jobs"))
                .isEqualTo("pending,pending,scheduled");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE data ->> 'status' = 'pending'")).isEqualTo(2);
    }

    @Test
    void aJobScheduledAheadIsPromotedOnceTheClockHasPassedItAndEachPromotionIsCounted() throws Exception {
        TestDatabase.execute("""
                INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at) VALUES
                  ('00000000-0000-7000-8000-000000000001', 'default', 'default', 'noop', 'scheduled', 5, now() + interval '1 hour')""");
        Maintenance maintenance = maintenance("a");
        assertThat(maintenance.promoteOnce().await().indefinitely()).isZero();
        double counted = meters.counter("harrier.jobs.promoted").count();

        clock.advance(Duration.ofMinutes(61));

        assertThat(maintenance.promoteOnce().await().indefinitely()).isEqualTo(1);
        assertThat(meters.counter("harrier.jobs.promoted").count() - counted).isEqualTo(1.0);
    }

    @Test
    void expiredLeasesAreRescuedByTheDatabasesClockWhateverTheInstancesSays() throws Exception {
        TestDatabase.execute("""
                INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, lease_owner, lease_expires_at)
                VALUES
                  ('00000000-0000-7000-8000-000000000001', 'default', 'default', 'noop', 'running', 1, 5, now(), 'gone', now() - interval '1 second'),
                  ('00000000-0000-7000-8000-000000000002', 'default', 'default', 'noop', 'running', 5, 5, now(), 'gone', now() - interval '1 second'),
                  ('00000000-0000-7000-8000-000000000003', 'default', 'default', 'noop', 'running', 1, 5, now(), 'alive', now() + interval '1 hour')""");
        double counted = meters.counter("harrier.jobs.rescued").count();
        // An instance whose clock runs two hours ahead must not take the live job away.
        clock.advance(Duration.ofHours(2));

        long rescued = maintenance("a").rescueOnce().await().indefinitely();

        assertThat(rescued).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT string_agg(status::text, ',' ORDER BY id) FROM harrier.jobs"))
                .isEqualTo("retrying,failed,running");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'log' "
                + "AND data ->> 'message' LIKE 'attempt 1 failed: the lease expired%'")).isEqualTo(1);
        assertThat(meters.counter("harrier.jobs.rescued").count() - counted).isEqualTo(2.0);
    }
}
