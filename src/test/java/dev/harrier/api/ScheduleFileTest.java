package dev.harrier.api;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedule file: applied with PUT semantics, owned by the file, taken over, removed when dropped. */
@QuarkusTest
class ScheduleFileTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ScheduleFile file;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static Path write(String json) throws Exception {
        Path path = Files.createTempFile("schedules", ".json");
        Files.writeString(path, json);
        return path;
    }

    @Test
    void theFileOwnsItsSchedulesTakesOverOneOfTheApisAndRemovesWhatItDrops() throws Exception {
        api().body("{\"cron\": \"0 * * * *\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/taken").then().statusCode(201);
        api().body("{\"cron\": \"0 * * * *\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/mine").then().statusCode(201);
        file.apply(write("""
                {"workspace": "default", "schedules": {
                  "job-search": {"cron": ["0 8,10,14,16,22 * * *", "45 16 * * *"], "timeZone": "Europe/London",
                                 "job": {"kind": "noop"}},
                  "nightly": {"cron": "@daily", "job": {"kind": "noop"}, "paused": true},
                  "taken": {"cron": "30 * * * *", "job": {"kind": "noop"}}}}""")).await().atMost(WAIT);

        api().get("/api/v1/schedules").then().statusCode(200)
                .body("schedules.name", contains("job-search", "mine", "nightly", "taken"))
                .body("schedules.source", contains("file", "api", "file", "file"));
        api().get("/api/v1/schedules/taken").then().body("cron", contains("30 * * * *"));
        api().get("/api/v1/schedules/nightly").then().body("paused", equalTo(true));
        api().body("{\"cron\": \"0 9 * * *\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/job-search").then().statusCode(409);
        api().delete("/api/v1/schedules/job-search").then().statusCode(409);
        api().body("{\"paused\": true}").patch("/api/v1/schedules/job-search").then().statusCode(200);

        // The next start: nightly dropped; job-search's pause (a PATCH) persists over the file's default.
        file.apply(write("""
                {"schedules": {
                  "job-search": {"cron": ["0 8,10,14,16,22 * * *", "45 16 * * *"], "timeZone": "Europe/London",
                                 "job": {"kind": "noop"}, "paused": false},
                  "taken": {"cron": "30 * * * *", "job": {"kind": "noop"}}}}""")).await().atMost(WAIT);
        api().get("/api/v1/schedules").then().body("schedules.name", contains("job-search", "mine", "taken"));
        api().get("/api/v1/schedules/job-search").then().body("paused", equalTo(true));
    }

    @Test
    void aBadFileStopsTheStartWithTheScheduleAndField() throws Exception {
        Path bad = write("{\"schedules\": {\"s\": {\"cron\": \"61 * * * *\", \"job\": {\"kind\": \"noop\"}}}}");
        assertThatThrownBy(() -> file.apply(bad).await().atMost(WAIT))
                .hasMessageContaining("HARRIER_SCHEDULES_FILE").hasMessageContaining("schedule s: cron[0]: minute 61 is out of range");
        Path unknownKind = write("{\"schedules\": {\"s\": {\"cron\": \"@daily\", \"job\": {\"kind\": \"nope\"}}}}");
        assertThatThrownBy(() -> file.apply(unknownKind).await().atMost(WAIT)).hasMessageContaining("schedule s: job.kind");
        Path notJson = write("{\"schedules\": [");
        assertThatThrownBy(() -> file.apply(notJson).await().atMost(WAIT)).hasMessageContaining("HARRIER_SCHEDULES_FILE");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.schedules")).isZero();
    }
}
