package dev.harrier.api;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runs of schedules on the job document and in listings ({@code schedule}, {@code scheduledFor},
 * {@code ?schedule=}), and the database's rule of one job per fire. (Rows are written here directly:
 * what fires them is the schedules' own test.)
 */
@QuarkusTest
class ApiScheduleRunsTest {

    private static final String FIRE = "2026-12-01T08:00:00Z";

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static void insertRun(String id, String workspace, String schedule, String scheduledFor, boolean triggered) {
        TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, schedule, "
                + "scheduled_for, triggered) VALUES ('" + id + "', '" + workspace + "', 'default', 'noop', 'pending', 5, now(), '"
                + schedule + "', '" + scheduledFor + "', " + triggered + ")");
    }

    @Test
    void aRunShowsItsScheduleAndFireTimeAndListsUnderItsSchedule() {
        insertRun("00000000-0000-7000-8000-000000000a01", "default", "job-search", FIRE, false);
        insertRun("00000000-0000-7000-8000-000000000a02", "default", "other", FIRE, false);
        insertRun("00000000-0000-7000-8000-000000000a03", "other", "job-search", FIRE, false);
        String plain = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");

        api().get("/api/v1/jobs/00000000-0000-7000-8000-000000000a01").then().statusCode(200)
                .body("schedule", equalTo("job-search"))
                .body("scheduledFor", equalTo(FIRE))
                .body("$", not(hasKey("triggered")));
        api().get("/api/v1/jobs/" + plain).then().statusCode(200)
                .body("schedule", nullValue()).body("scheduledFor", nullValue());
        api().get("/api/v1/jobs?schedule=job-search").then().statusCode(200)
                .body("jobs.id", contains("00000000-0000-7000-8000-000000000a01"));
    }

    @Test
    void theDatabaseAllowsOneJobPerFireButAnyNumberOfTriggeredRuns() {
        insertRun("00000000-0000-7000-8000-000000000b01", "default", "job-search", FIRE, false);
        assertThatThrownBy(() -> insertRun("00000000-0000-7000-8000-000000000b02", "default", "job-search", FIRE, false))
                .hasMessageContaining("jobs_schedule_fire_idx");
        insertRun("00000000-0000-7000-8000-000000000b03", "default", "job-search", FIRE, true);
        insertRun("00000000-0000-7000-8000-000000000b04", "default", "job-search", FIRE, true);
        insertRun("00000000-0000-7000-8000-000000000b05", "other", "job-search", FIRE, false);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE schedule = 'job-search'")).isEqualTo(4);
        api().get("/api/v1/jobs/00000000-0000-7000-8000-000000000b03").then().statusCode(200).body("triggered", equalTo(true));
    }
}
