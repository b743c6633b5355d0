package dev.harrier.dataset;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A scrape into a dataset: its records synced at its end; a partial scrape never expires. */
@QuarkusTest
class ScrapeDatasetTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

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

    private JsonPath scrape(StubServer board) {
        String id = api().body("{\"kind\": \"scrape\", \"maxAttempts\": 1, \"args\": {\"urls\": [\"" + board.url("/jobs/1") + "\", \""
                        + board.url("/jobs/2") + "\"], \"retries\": 0, \"extract\": {\"type\": \"json\", \"list\": \"/jobs\", "
                        + "\"fields\": {\"title\": \"/title\", \"company\": \"/company\"}}, "
                        + "\"dataset\": {\"name\": \"search.u1\", \"key\": [\"title\", \"company\"]}}}")
                .post("/api/v1/jobs").then().log().ifValidationFails().statusCode(201).extract().path("id");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
        return api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
    }

    @Test
    void aScrapesRecordsAreSyncedAndAPartialScrapeExpiresNothing() throws Exception {
        AtomicReference<String> second = new AtomicReference<>("{\"jobs\": [{\"title\": \"C\", \"company\": \"Z\"}]}");
        AtomicReference<Integer> secondStatus = new AtomicReference<>(200);
        try (StubServer board = new StubServer()) {
            board.on("/jobs/1", r -> r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jobs\": [{\"title\": \"A\", \"company\": \"X\"}, {\"title\": \"B\", \"company\": \"Y\"}]}"));
            board.on("/jobs/2", r -> r.response().setStatusCode(secondStatus.get()).putHeader("Content-Type", "application/json")
                    .end(second.get()));
            harness.start("a");
            JsonPath first = scrape(board);
            assertThat(first.getInt("result.records")).isEqualTo(3);
            assertThat(first.getString("result.dataset.dataset")).isEqualTo("search.u1");
            assertThat(first.getInt("result.dataset.new")).isEqualTo(3);

            // The second page fails: B is gone from page 1, but nothing expires.
            board.on("/jobs/1", r -> r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jobs\": [{\"title\": \"A\", \"company\": \"X\"}, {\"title\": \"D\", \"company\": \"W\"}]}"));
            secondStatus.set(404);
            JsonPath partial = scrape(board);
            assertThat(partial.getInt("result.failed")).isEqualTo(1);
            assertThat(partial.getInt("result.dataset.new")).isEqualTo(1);
            assertThat(partial.getInt("result.dataset.expired")).isZero();
            assertThat(partial.getBoolean("result.dataset.expireSkipped")).isTrue();
            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.dataset_records WHERE dataset = 'search.u1' AND state = 'active'"))
                    .isEqualTo(4);

            // Whole again: B and C are gone.
            secondStatus.set(200);
            second.set("{\"jobs\": []}");
            JsonPath whole = scrape(board);
            assertThat(whole.getInt("result.dataset.expired")).isEqualTo(2);
            assertThat(whole.get("result.dataset.expireSkipped") == null).isTrue();
        }
    }
}
