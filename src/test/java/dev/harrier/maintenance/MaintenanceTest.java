package dev.harrier.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MaintenanceTest {

    private static final MaintenanceSettings SETTINGS = new MaintenanceSettings(Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(7));

    @Inject
    Pool pool;

    @Inject
    io.vertx.mutiny.core.Vertx vertx;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void oneInstanceLeadsAtATimeAndAnotherTakesOverWhenTheLeaderStopsRenewing() throws Exception {
        Maintenance a = new Maintenance(pool, "a", SETTINGS);
        Maintenance b = new Maintenance(pool, "b", SETTINGS);

        assertThat(a.tryLead().await().indefinitely()).isTrue();
        assertThat(b.tryLead().await().indefinitely()).isFalse();
        assertThat(a.tryLead().await().indefinitely()).as("the leader renews").isTrue();

        Thread.sleep(2200);
        assertThat(b.tryLead().await().indefinitely()).as("b takes over once a's row expired").isTrue();
        assertThat(a.tryLead().await().indefinitely()).isFalse();
    }

    @Test
    void aLeaderThatStopsGivesLeadershipUpAtOnce() {
        Maintenance a = new Maintenance(pool, "a", SETTINGS);
        Maintenance b = new Maintenance(pool, "b", SETTINGS);
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

        int deleted = new Maintenance(pool, "a", SETTINGS).pruneOnce().await().indefinitely();

        assertThat(deleted).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT string_agg(right(id::text, 1), ',' ORDER BY id) FROM harrier.jobs")).isEqualTo("2,3,5");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events")).isZero();
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

        long promoted = new Maintenance(pool, "a", SETTINGS).promoteOnce().await().indefinitely();

        assertThat(promoted).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT string_agg(status::text, ',' ORDER BY id) FROM harrier.jobs"))
                .isEqualTo("pending,pending,scheduled");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE data ->> 'status' = 'pending'")).isEqualTo(2);
    }
}
