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
