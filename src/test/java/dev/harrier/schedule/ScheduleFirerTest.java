package dev.harrier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fires decided by several instances at once on one database, their clocks apart, with the clock
 * of the decision set by the test: one job per fire time, none missed; and the catch-up policies
 * after every instance was down across two fire times.
 */
@QuarkusTest
class ScheduleFirerTest {

    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final List<Duration> DRIFTS = List.of(Duration.ofSeconds(-5), Duration.ZERO, Duration.ofSeconds(7));

    @Inject
    ScheduleFirer firer;

    @Inject
    MeterRegistry meters;

    private double counted(String name, String schedule) {
        var counter = meters.find(name).tags("workspace", "default", "schedule", schedule).counter();
        return counter == null ? 0 : counter.count();
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static void schedule(String name, String cron, String zone, String catchUp, String overlap, Instant after) {
        FireTimes times = FireTimes.of(List.of(cron.split("\\|")), zone);
        TestDatabase.execute("INSERT INTO harrier.schedules (workspace, name, cron, time_zone, job, overlap, catch_up, next_fire_at) "
                + "VALUES ('default', '" + name + "', '{" + String.join(",", List.of(cron.split("\\|")).stream().map(c -> "\"" + c + "\"").toList())
                + "}', '" + zone + "', '{\"kind\": \"noop\", \"queue\": \"sched\"}', '" + overlap + "', '" + catchUp + "', '"
                + times.next(after).orElseThrow() + "')");
    }

    /** Three instances decide at once, each on its own clock. */
    private void instancesAt(Instant t) {
        Uni.join().all(DRIFTS.stream().map(drift -> firer.fireDue(t.plus(drift), GRACE)).toList())
                .andFailFast().await().atMost(Duration.ofSeconds(30));
    }

    private static List<Instant> runs(String schedule) {
        List<Instant> runs = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT scheduled_for FROM harrier.jobs WHERE schedule = '" + schedule
                     + "' ORDER BY scheduled_for")) {
            while (rows.next()) {
                runs.add(rows.getTimestamp(1).toInstant());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return runs;
    }

    @Test
    void threeInstancesThroughTheSeedsDaylightSavingDayCreateOneJobPerFire() {
        Instant start = Instant.parse("2026-03-28T23:00:00Z");
        schedule("job-search", "0 8,10,14,16,22 * * *|45 16 * * *", "Europe/London", "latest", "allow", start);
        TreeSet<Instant> moments = new TreeSet<>();
        for (Instant t = start; t.isBefore(start.plus(Duration.ofHours(24))); t = t.plus(Duration.ofMinutes(20))) {
            moments.add(t);
        }
        List<Instant> expected = List.of(Instant.parse("2026-03-29T07:00:00Z"), Instant.parse("2026-03-29T09:00:00Z"),
                Instant.parse("2026-03-29T13:00:00Z"), Instant.parse("2026-03-29T15:00:00Z"),
                Instant.parse("2026-03-29T15:45:00Z"), Instant.parse("2026-03-29T21:00:00Z"));
        for (Instant fire : expected) {
            moments.add(fire.minusSeconds(1));
            moments.add(fire);
            moments.add(fire.plusSeconds(2));
            moments.add(fire.plusSeconds(30));
        }
        moments.forEach(this::instancesAt);

        assertThat(runs("job-search")).as("one job per fire of 29 March 2026, BST from 01:00 UTC").isEqualTo(expected);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE schedule = 'job-search' AND queue = 'sched' "
                + "AND kind = 'noop' AND status = 'pending'")).isEqualTo(6);
        assertThat(TestDatabase.queryText("SELECT next_fire_at::text FROM harrier.schedules WHERE name = 'job-search'"))
                .as("the next fire not decided yet").isEqualTo("2026-03-30 07:00:00+00");
    }

    @Test
    void afterEveryInstanceWasDownAcrossTwoFiresCatchUpDecides() {
        Instant start = Instant.parse("2026-12-01T09:30:00Z");
        schedule("latest", "0 * * * *", "UTC", "latest", "allow", start);
        schedule("none", "0 * * * *", "UTC", "none", "allow", start);
        schedule("all", "0 * * * *", "UTC", "all", "allow", start);
        instancesAt(Instant.parse("2026-12-01T10:00:05Z"));
        // Down from 10:00:05 to 12:30: 11:00 and 12:00 passed unseen.
        instancesAt(Instant.parse("2026-12-01T12:30:00Z"));
        instancesAt(Instant.parse("2026-12-01T13:00:40Z"));

        Instant ten = Instant.parse("2026-12-01T10:00:00Z");
        Instant eleven = Instant.parse("2026-12-01T11:00:00Z");
        Instant twelve = Instant.parse("2026-12-01T12:00:00Z");
        Instant one = Instant.parse("2026-12-01T13:00:00Z");
        assertThat(runs("latest")).containsExactly(ten, twelve, one);
        assertThat(runs("none")).containsExactly(ten, one);
        assertThat(runs("all")).containsExactly(ten, eleven, twelve, one);
        assertThat(counted("harrier.schedule.fires", "latest")).isEqualTo(2);
        assertThat(counted("harrier.schedule.catch_ups", "latest")).isEqualTo(1);
        assertThat(counted("harrier.schedule.missed", "latest")).isEqualTo(1);
        assertThat(counted("harrier.schedule.catch_ups", "none")).isZero();
        assertThat(counted("harrier.schedule.missed", "none")).isEqualTo(2);
        assertThat(counted("harrier.schedule.catch_ups", "all")).isEqualTo(2);
    }

    @Test
    void aResumedScheduleAppliesItsCatchUpToTheFiresItSkippedWhilePaused() {
        Instant start = Instant.parse("2026-12-01T09:30:00Z");
        schedule("paused", "0 * * * *", "UTC", "latest", "allow", start);
        TestDatabase.execute("UPDATE harrier.schedules SET paused = true WHERE name = 'paused'");
        instancesAt(Instant.parse("2026-12-01T10:00:05Z"));
        instancesAt(Instant.parse("2026-12-01T11:00:05Z"));
        assertThat(runs("paused")).as("paused: no run").isEmpty();

        TestDatabase.execute("UPDATE harrier.schedules SET paused = false WHERE name = 'paused'");
        instancesAt(Instant.parse("2026-12-01T11:30:00Z"));
        assertThat(runs("paused")).as("resumed: the latest skipped fire gets its run").containsExactly(Instant.parse("2026-12-01T11:00:00Z"));
        instancesAt(Instant.parse("2026-12-01T12:00:01Z"));
        assertThat(runs("paused")).containsExactly(Instant.parse("2026-12-01T11:00:00Z"), Instant.parse("2026-12-01T12:00:00Z"));
    }

    @Test
    void aFireALittleLateIsNotMissedAndOverlapSkipWaitsForTheLastRun() {
        Instant start = Instant.parse("2026-12-01T09:30:00Z");
        schedule("late", "0 * * * *", "UTC", "none", "allow", start);
        schedule("skip", "0 * * * *", "UTC", "latest", "skip", start);
        firer.fireDue(Instant.parse("2026-12-01T10:00:59Z"), GRACE).await().indefinitely();
        assertThat(runs("late")).as("59 s late, within the grace").containsExactly(Instant.parse("2026-12-01T10:00:00Z"));

        ScheduleFirer.Round round = firer.fireDue(Instant.parse("2026-12-01T11:00:10Z"), GRACE).await().indefinitely();
        assertThat(runs("skip")).as("the 10:00 run is still pending: 11:00 is skipped")
                .containsExactly(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(round.skipped()).isEqualTo(1);
        assertThat(counted("harrier.schedule.skips", "skip")).isEqualTo(1);
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'completed', finished_at = now() WHERE schedule = 'skip'");
        firer.fireDue(Instant.parse("2026-12-01T12:00:10Z"), GRACE).await().indefinitely();
        assertThat(runs("skip")).containsExactly(Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T12:00:00Z"));
    }
}
