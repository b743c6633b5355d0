package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.ItemsHandler;
import dev.harrier.time.Backoff;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Items of fan-out jobs: stored with their events, and not done again by a retried attempt. */
@QuarkusTest
class FanOutItemsTest {

    @Inject
    EngineHarness harness;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void aRetriedAttemptSkipsTheItemsThatAlreadyHaveAResult() {
        harness.start("items", b -> b.maintenance(true).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 2.0)));
        EnqueueResult enqueued = harness.submit("test-items", "{\"count\": 30, \"failAfter\": 12}");

        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(20));

        String id = done.id().toString();
        assertThat(done.attempt()).isEqualTo(2);
        List<Integer> first = ItemsHandler.DONE_BY_ATTEMPT.get(id + "#1");
        List<Integer> second = ItemsHandler.DONE_BY_ATTEMPT.get(id + "#2");
        assertThat(first).hasSize(12);
        assertThat(second).hasSize(18).doesNotContainAnyElementsOf(first);
        assertThat(TestDatabase.queryLong("SELECT count(DISTINCT idx) FROM harrier.job_items WHERE job_id = '" + id + "'")).isEqualTo(30);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'item' AND job_id = '" + id + "'")).isEqualTo(30);
        assertThat(TestDatabase.queryLong("SELECT max(seq) FROM harrier.job_events WHERE type = 'item' AND job_id = '" + id + "'"))
                .as("every item event comes before the completion").isLessThan(done.lastEventSeq());

        RestAssured.given().header("Authorization", "Bearer test-key-default")
                .get("/api/v1/jobs/" + id + "/items?limit=10").then().statusCode(200)
                .body("items", hasSize(10))
                .body("items[1].index", equalTo(1))
                .body("items[1].status", equalTo("ok"))
                .body("items[1].httpStatus", equalTo(200))
                .body("items[1].data.n", equalTo(1))
                .body("items[0].status", equalTo("failed"))
                .body("items[0].error", equalTo("HTTP 500"))
                .body("items[1].input", equalTo("https://example.test/1"))
                .body("items[1].error", Matchers.nullValue());
        String page = RestAssured.given().header("Authorization", "Bearer test-key-default")
                .get("/api/v1/jobs/" + id + "/items?limit=2").then().extract().asString();
        assertThat(page).as("nulls are written, not left out").contains("\"error\":null");
        RestAssured.given().header("Authorization", "Bearer test-key-default")
                .get("/api/v1/jobs/" + id + "/items?status=failed&limit=100").then().statusCode(200)
                .body("items", hasSize((int) IntStream.range(0, 30).filter(i -> i % 3 == 0).count()));
    }
}
