package dev.harrier.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The workspace stream's counts event: every 2 s, each queue's counts and what finished since the previous one. */
@QuarkusTest
class WorkspaceCountsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> KEY = Map.of("Authorization", "Bearer test-key-default");

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    WorkspaceCounts counts;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void countsComeEveryTwoSecondsWithWhatFinishedSinceAndNoStatusEventsWhenOnlyCountsAreAsked() throws Exception {
        try (SseClient stream = SseClient.open(base + "api/v1/events?events=counts", KEY)) {
            assertThat(stream.status()).isEqualTo(200);
            // The first tick sets where counting starts.
            JsonNode first = counts(stream);
            assertThat(first.get("queues")).isEmpty();
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON)
                        .body("{\"kind\": \"noop\", \"queue\": \"counted\"}").post("/api/v1/jobs").then().statusCode(201);
            }
            harness.start("counts");
            long finished = 0;
            JsonNode latest = null;
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until && (latest == null || latest.at("/counts/completed").asLong() < 3)) {
                JsonNode event = counts(stream);
                for (JsonNode queue : event.get("queues")) {
                    assertThat(queue.get("name").asText()).isEqualTo("counted");
                    finished += queue.at("/finished/completed").asLong();
                    latest = queue;
                }
            }
            assertThat(latest).isNotNull();
            assertThat(latest.at("/counts/completed").asLong()).isEqualTo(3);
            // One more tick: what finished before the table said 3 is counted by then, and only once.
            for (JsonNode queue : counts(stream).get("queues")) {
                finished += queue.at("/finished/completed").asLong();
            }
            // Never counted twice; a job whose transaction straddles a tick is counted by neither (see finished_between).
            assertThat(finished).isBetween(1L, 3L);
        }
    }

    @Test
    void betweenFullCountsTheFinishedCountsMoveOnByWhatFinishedAndTheUnfinishedAreReadEachTick() throws Exception {
        counts.fullReadAtLeastEvery(Duration.ofHours(1));
        // Two finished before the stream opens: the first tick's full count sees them.
        TestDatabase.execute("INSERT INTO harrier.queues (workspace, name) VALUES ('default', 'moving') ON CONFLICT DO NOTHING");
        TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, finished_at) SELECT"
                + " gen_random_uuid(), 'default', 'moving', 'noop', 'completed', 3, now(), now() - interval '1 hour' FROM generate_series(1, 2)");
        try (SseClient stream = SseClient.open(base + "api/v1/events?events=counts", KEY)) {
            JsonNode first = queue(counts(stream), "moving");
            assertThat(first.at("/counts/completed").asLong()).isEqualTo(2);
            // From now on no full count: a paused queue's pending jobs are read each tick, what finishes is added.
            given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON).body("{\"paused\": true}")
                    .patch("/api/v1/queues/moving").then().statusCode(200);
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON)
                        .body("{\"kind\": \"noop\", \"queue\": \"moving\"}").post("/api/v1/jobs").then().statusCode(201);
            }
            harness.start("moving");
            JsonNode waiting = queue(counts(stream), "moving");
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (waiting.at("/counts/pending").asLong() < 3 && System.nanoTime() < until) {
                waiting = queue(counts(stream), "moving");
            }
            assertThat(waiting.at("/counts/pending").asLong()).isEqualTo(3);
            assertThat(waiting.at("/counts/completed").asLong()).isEqualTo(2);
            given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON).body("{\"paused\": false}")
                    .patch("/api/v1/queues/moving").then().statusCode(200);
            JsonNode latest = waiting;
            until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((latest.at("/counts/pending").asLong() > 0 || latest.at("/counts/running").asLong() > 0) && System.nanoTime() < until) {
                latest = queue(counts(stream), "moving");
            }
            assertThat(latest.at("/counts/pending").asLong()).isZero();
            latest = queue(counts(stream), "moving");
            // 2 + 3, less a job whose outcome's transaction straddled a tick (counted by neither, see finished_between).
            long completed = latest.at("/counts/completed").asLong();
            assertThat(completed).isBetween(4L, 5L);
            // Retention deleting finished jobs shows at the next full count only (an hour away here).
            TestDatabase.execute("DELETE FROM harrier.jobs WHERE queue = 'moving' AND finished_at < now() - interval '30 minutes'");
            assertThat(queue(counts(stream), "moving").at("/counts/completed").asLong()).isEqualTo(completed);
        } finally {
            counts.fullReadAtLeastEvery(Duration.ZERO);
        }
    }

    @Test
    void betweenFullCountsRunningJobsAreReadEachTickToo() throws Exception {
        counts.fullReadAtLeastEvery(Duration.ofHours(1));
        TestDatabase.execute("INSERT INTO harrier.queues (workspace, name) VALUES ('default', 'held') ON CONFLICT DO NOTHING");
        try (SseClient stream = SseClient.open(base + "api/v1/events?events=counts", KEY)) {
            assertThat(queue(counts(stream), "held").at("/counts/running").asLong()).isZero();
            // Running under an instance that is not here, with a lease that lasts: nothing rescues them.
            TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at,"
                    + " started_at, lease_owner, lease_expires_at) SELECT gen_random_uuid(), 'default', 'held', 'noop', 'running',"
                    + " 1, 3, now(), now(), 'elsewhere', now() + interval '1 hour' FROM generate_series(1, 2)");

            JsonNode next = queue(counts(stream), "held");
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (next.at("/counts/running").asLong() == 0 && System.nanoTime() < until) {
                next = queue(counts(stream), "held");
            }
            assertThat(next.at("/counts/running").asLong()).isEqualTo(2);
        } finally {
            counts.fullReadAtLeastEvery(Duration.ZERO);
        }
    }

    @Test
    void aTokenWithTagsGetsNoCountsAndABadEventsParameterIsRefused() throws Exception {
        String token = given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON)
                .body("{\"tags\": [\"user:1\"]}").post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        try (SseClient stream = SseClient.open(base + "api/v1/events?access_token=" + token, Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                SseClient.Event event = stream.poll(Duration.ofMillis(500));
                if (event != null) {
                    assertThat(event.name()).isNotEqualTo("counts");
                }
            }
        }
        given().header("Authorization", "Bearer test-key-default").get("/api/v1/events?events=everything").then().statusCode(400);
    }

    private static JsonNode queue(JsonNode event, String name) {
        for (JsonNode queue : event.get("queues")) {
            if (name.equals(queue.get("name").asText())) {
                return queue;
            }
        }
        throw new AssertionError("no queue " + name + " in " + event);
    }

    private static JsonNode counts(SseClient stream) throws Exception {
        while (true) {
            SseClient.Event event = stream.next(Duration.ofSeconds(10));
            assertThat(event.name()).as("only counts events were asked for").isIn("counts", ":");
            if ("counts".equals(event.name())) {
                return JSON.readTree(event.data());
            }
        }
    }
}
