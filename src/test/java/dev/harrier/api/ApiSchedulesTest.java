package dev.harrier.api;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every schedule endpoint, its 400 cases and workspace isolation. */
@QuarkusTest
class ApiSchedulesTest {

    private static final String SEED = """
            {"cron": ["0 8,10,14,16,22 * * *", "45 16 * * *"], "timeZone": "Europe/London",
             "job": {"kind": "noop", "args": {}, "queue": "default"}, "overlap": "skip", "description": "job search"}""";

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static RequestSpecification other() {
        return given().header("Authorization", "Bearer test-key-other").contentType(ContentType.JSON);
    }

    @Test
    void createReadListPauseTriggerAndDelete() {
        api().body(SEED).put("/api/v1/schedules/job-search").then().log().ifValidationFails().statusCode(201)
                .body("name", equalTo("job-search"))
                .body("cron", contains("0 8,10,14,16,22 * * *", "45 16 * * *"))
                .body("timeZone", equalTo("Europe/London"))
                .body("job.kind", equalTo("noop"))
                .body("overlap", equalTo("skip"))
                .body("catchUp", equalTo("latest"))
                .body("paused", equalTo(false))
                .body("description", equalTo("job search"))
                .body("source", equalTo("api"))
                .body("nextRuns", hasSize(5))
                .body("lastRun", nullValue());
        api().body("{\"cron\": \"@daily\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/job-search").then()
                .statusCode(200).body("cron", contains("@daily")).body("timeZone", equalTo("UTC"))
                .body("nextRuns[0]", startsWith("20")).body("nextRuns[0]", endsWith("T00:00:00Z"));
        api().body(SEED).put("/api/v1/schedules/job-search").then().statusCode(200);
        api().get("/api/v1/schedules/job-search").then().statusCode(200).body("overlap", equalTo("skip"));
        api().body("{\"cron\": \"0 * * * *\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/a-first").then().statusCode(201);
        api().get("/api/v1/schedules").then().statusCode(200).body("schedules.name", contains("a-first", "job-search"));

        api().body("{\"paused\": true}").patch("/api/v1/schedules/job-search").then().statusCode(200).body("paused", equalTo(true));
        String jobId = api().post("/api/v1/schedules/job-search/trigger").then().log().ifValidationFails().statusCode(202)
                .header("Location", startsWith("/api/v1/jobs/"))
                .body("schedule", equalTo("job-search"))
                .body("triggered", equalTo(true))
                .body("scheduledFor", notNullValue())
                .body("kind", equalTo("noop"))
                .extract().path("id");
        api().get("/api/v1/schedules/job-search").then().statusCode(200)
                .body("lastRun.jobId", equalTo(jobId)).body("lastRun.status", equalTo("pending"));
        api().get("/api/v1/jobs?schedule=job-search").then().statusCode(200).body("jobs.id", contains(jobId));

        api().delete("/api/v1/schedules/job-search").then().statusCode(204);
        api().get("/api/v1/schedules/job-search").then().statusCode(404);
        api().delete("/api/v1/schedules/job-search").then().statusCode(404);
        api().get("/api/v1/jobs/" + jobId).then().statusCode(200).body("schedule", equalTo("job-search"));
    }

    @Test
    void badSchedulesAreRefusedWithTheFieldAndChangeNothing() {
        invalid("bad name!", SEED, "name", null);
        invalid("s", "{\"cron\": [\"0 8 * * *\", \"61 * * * *\"], \"job\": {\"kind\": \"noop\"}}", "cron[1]",
                "minute 61 is out of range 0-59");
        invalid("s", "{\"cron\": \"0 8 * *\", \"job\": {\"kind\": \"noop\"}}", "cron[0]", null);
        invalid("s", "{\"cron\": \"0 8 * * *\", \"timeZone\": \"Mars/Olympus\", \"job\": {\"kind\": \"noop\"}}", "timeZone", null);
        // Every problem at once: both expressions and the zone.
        api().body("{\"cron\": [\"61 * * * *\", \"0 8 * *\"], \"timeZone\": \"Mars/Olympus\", \"job\": {\"kind\": \"noop\"}}")
                .put("/api/v1/schedules/s").then().statusCode(400)
                .body("errors.field", contains("cron[0]", "cron[1]", "timeZone"));
        api().body("{\"cron\": 5, \"timeZone\": \"Mars/Olympus\", \"job\": {\"kind\": \"noop\"}}")
                .put("/api/v1/schedules/s").then().statusCode(400).body("errors.field", contains("cron", "timeZone"));
        invalid("s", "{\"cron\": [], \"job\": {\"kind\": \"noop\"}}", "cron", null);
        invalid("s", "{\"cron\": [\"@daily\", \"@daily\", \"@daily\", \"@daily\", \"@daily\", \"@daily\", \"@daily\", \"@daily\", "
                + "\"@daily\", \"@daily\", \"@daily\"], \"job\": {\"kind\": \"noop\"}}", "cron", null);
        invalid("s", "{\"cron\": 5, \"job\": {\"kind\": \"noop\"}}", "cron", null);
        invalid("s", "{\"cron\": \"0 8 * * *\"}", "job", null);
        invalid("s", "{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"noop\", \"runAt\": \"2026-12-01T00:00:00Z\"}}", "job.runAt", null);
        invalid("s", "{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"no-such-kind\"}}", "job.kind", null);
        invalid("s", "{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"noop\"}, \"overlap\": \"never\"}", "overlap", null);
        invalid("s", "{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"noop\"}, \"catchUp\": \"some\"}", "catchUp", null);
        api().body("{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"noop\"}, \"color\": \"red\"}").put("/api/v1/schedules/s")
                .then().statusCode(400);
        api().body("{}").patch("/api/v1/schedules/s").then().statusCode(400);
        api().get("/api/v1/schedules").then().statusCode(200).body("schedules", hasSize(0));
        given().contentType(ContentType.JSON).body(SEED).put("/api/v1/schedules/s").then().statusCode(401);
    }

    @Test
    void aWorkspaceHasAtMostTheLimitOfSchedulesAndReplacingOneIsNotANewOne() {
        for (int i = 0; i < 6; i++) {
            api().body("{\"cron\": \"@daily\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/s" + i).then().statusCode(201);
        }
        api().body("{\"cron\": \"@daily\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/s6").then().statusCode(400)
                .body("errors.field", hasItem("name"));
        api().body("{\"cron\": \"@hourly\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/s0").then().statusCode(200);
        other().body("{\"cron\": \"@daily\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/s6").then().statusCode(201);
    }

    private static void invalid(String name, String body, String field, String message) {
        var reply = api().body(body).put("/api/v1/schedules/" + name).then().log().ifValidationFails().statusCode(400)
                .body("errors.field", hasItem(field));
        if (message != null) {
            reply.body("errors.message", hasItem(message));
        }
    }

    @Test
    void anotherWorkspaceNeitherSeesNorTouchesASchedule() {
        api().body(SEED).put("/api/v1/schedules/job-search").then().statusCode(201);
        other().get("/api/v1/schedules/job-search").then().statusCode(404);
        other().get("/api/v1/schedules").then().statusCode(200).body("schedules", hasSize(0));
        other().body("{\"paused\": true}").patch("/api/v1/schedules/job-search").then().statusCode(404);
        other().post("/api/v1/schedules/job-search/trigger").then().statusCode(404);
        other().delete("/api/v1/schedules/job-search").then().statusCode(404);
        other().body(SEED).put("/api/v1/schedules/job-search").then().statusCode(201);
        api().get("/api/v1/schedules/job-search").then().statusCode(200).body("paused", equalTo(false))
                .body("overlap", equalTo("skip"));
    }
}
