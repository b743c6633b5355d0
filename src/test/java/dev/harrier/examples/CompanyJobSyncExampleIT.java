package dev.harrier.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.ExampleProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 003 as {@code examples/run.sh 003} starts it: every company's file in the bucket synced into
 * one dataset with the seed's composite key (title, location, company), one partition per company;
 * the new jobs delivered to the notification service (its 503 retried); the seed's Sync Summary
 * written to the bucket after each run; a later scrape gives new and expired jobs.
 */
class CompanyJobSyncExampleIT {

    @BeforeAll
    static void clean() {
        TestDatabase.cleanIfMigrated();
    }

    /** Triggers the schedule, as at 06:00, and waits for its summary; returns the summary job's result. */
    private static JsonPath syncNow(ExampleProcess example, int summaries) {
        String run = example.api().post("/api/v1/schedules/company-job-sync/trigger").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> example.api().get("/api/v1/jobs?kind=sync_summary&status=completed")
                .then().extract().jsonPath().getList("jobs").size() == summaries);
        JsonPath summary = example.api().get("/api/v1/jobs?kind=sync_summary&status=completed").then().extract().jsonPath()
                .setRootPath("jobs[0].result");
        assertThat(example.api().get("/api/v1/jobs/" + run).then().extract().<String>path("status")).isEqualTo("completed");
        return summary;
    }

    @Test
    void eachRunSyncsEveryCompanyNotifiesTheNewJobsAndWritesTheSyncSummary() throws Exception {
        try (ExampleProcess example = ExampleProcess.start("003", 2, Map.of())) {
            JsonPath first = syncNow(example, 1);
            assertThat(first.getInt("syncSession.companiesProcessed")).isEqualTo(3);
            assertThat(first.getInt("syncSession.totalNewJobs")).isEqualTo(6);
            assertThat(first.getInt("syncSession.totalActiveJobs")).isZero();
            assertThat(first.getInt("syncSession.totalExpiredJobs")).isZero();
            assertThat(first.getList("newJobs")).hasSize(6);
            assertThat(first.getString("syncSession.scheduledFor")).isNotNull();
            JsonPath bucket = example.state(0);
            assertThat(bucket.getInt("summary.syncSession.totalNewJobs")).as("the summary is in the bucket too").isEqualTo(6);
            await().atMost(Duration.ofSeconds(30)).until(() -> example.state(1).getList("jobNotifications").size() == 6);
            assertThat(example.state(1).getInt("calls")).as("three deliveries, the first one retried").isEqualTo(4);

            RestAssured.post(example.stub(0) + "/_scrape").then().statusCode(200);
            JsonPath second = syncNow(example, 2);
            assertThat(second.getInt("syncSession.totalNewJobs")).isEqualTo(3);
            assertThat(second.getInt("syncSession.totalActiveJobs")).isEqualTo(5);
            assertThat(second.getInt("syncSession.totalExpiredJobs")).isEqualTo(1);
            assertThat(second.getList("newJobs.title", String.class))
                    .containsExactlyInAnyOrder("Applied Scientist", "Support Engineer", "iOS Engineer");
            assertThat(second.getList("logs", String.class)).contains("Amazon: 2 new, 2 active, 0 changed, 1 expired");
            await().atMost(Duration.ofSeconds(30)).until(() -> example.state(1).getList("jobNotifications").size() == 9);
            List<String> expired = example.api().get("/api/v1/datasets/company-jobs/records?state=expired").then().statusCode(200)
                    .extract().jsonPath().getList("records.data.title", String.class);
            assertThat(expired).containsExactly("Data Engineer");
        }
    }
}
