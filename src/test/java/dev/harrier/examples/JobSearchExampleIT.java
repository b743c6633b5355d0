package dev.harrier.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.harrier.testing.ExampleProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 as {@code examples/run.sh 000} starts it: the schedule at the seed's UK times, run now by
 * its trigger (what the platform cron called); every user's search scraped, the new postings saved
 * and linked per user by the app; the user whose board is down fails alone; the next run delivers
 * only what is new.
 */
class JobSearchExampleIT {

    @BeforeAll
    static void clean() {
        TestDatabase.cleanIfMigrated();
    }

    private static JsonPath runNow(ExampleProcess example) {
        String id = example.api().post("/api/v1/schedules/job-search/trigger").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("completed", "failed")
                .contains(example.api().get("/api/v1/jobs/" + id).then().extract().<String>path("status")));
        return example.api().get("/api/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyUsersNewPostingsAreSavedAndLinkedAndADownBoardFailsAlone() throws Exception {
        try (ExampleProcess example = ExampleProcess.start("000", 3, Map.of())) {
            JsonPath schedule = example.api().get("/api/v1/schedules/job-search").then().statusCode(200).extract().jsonPath();
            assertThat(schedule.getList("nextRuns", String.class)).hasSize(5).allSatisfy(run -> assertThat(
                    List.of("08:00", "10:00", "14:00", "16:00", "16:45", "22:00"))
                    .contains(Instant.parse(run).atZone(ZoneId.of("Europe/London")).toLocalTime().toString()));

            JsonPath first = runNow(example);
            assertThat(first.getString("status")).isEqualTo("completed");
            assertThat(first.getInt("children.total")).isEqualTo(3);
            JsonPath app = example.state(0);
            assertThat(app.getList("userJobs.u1", String.class)).hasSize(3).allMatch(url -> url.contains("java-developer"));
            assertThat(app.getList("userJobs.u2", String.class)).hasSize(3).allMatch(url -> url.contains("nurse"));
            assertThat(app.getMap("userJobs")).doesNotContainKey("u3");
            assertThat(app.getMap("jobs")).hasSize(6);
            JsonPath down = example.api().get("/api/v1/jobs?parent=" + first.getString("id") + "&tag=user:u3").then().extract().jsonPath();
            assertThat(down.getInt("jobs[0].result.failed")).as("u3's board is down").isEqualTo(1);
            JsonPath up = example.api().get("/api/v1/jobs?parent=" + first.getString("id") + "&tag=user:u1").then().extract().jsonPath();
            assertThat(up.getInt("jobs[0].result.ok")).isEqualTo(1);
            assertThat(first.getString("args.itemsFrom.headers.Authorization")).as("the token stays a placeholder")
                    .isEqualTo("Bearer {{secret:APP_TOKEN}}");

            // A day later on the board: one more posting per search, one gone. Only the new ones reach the app.
            RestAssured.post(example.stub(1) + "/_next-day").then().statusCode(200);
            int deliveries = app.getInt("deliveries");
            JsonPath second = runNow(example);
            assertThat(second.getString("status")).isEqualTo("completed");
            JsonPath after = example.state(0);
            assertThat(after.getList("userJobs.u1", String.class)).hasSize(4);
            assertThat(after.getList("userJobs.u2", String.class)).hasSize(4);
            assertThat(after.getInt("deliveries")).as("one delivery per user with something new").isEqualTo(deliveries + 2);
            example.api().get("/api/v1/datasets/search.u1/records?state=expired").then().statusCode(200)
                    .body("records.size()", equalTo(1));
        }
    }
}
