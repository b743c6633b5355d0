package dev.harrier.stream;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The workspace stream announces every status change, a job's first one (pending, scheduled) included. */
@QuarkusTest
class WorkspaceAnnouncementsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void newJobsAppearOnTheWorkspaceStreamAsTheyAreEnqueuedBeforeAnythingRunsThem() throws Exception {
        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/events?events=status",
                Map.of("Authorization", "Bearer test-key-default"))) {
            assertThat(stream.status()).isEqualTo(200);
            String pending = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
            String scheduled = api().body("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\"}").post("/api/v1/jobs")
                    .then().statusCode(201).extract().path("id");
            List<String> batch = api().body("{\"jobs\": [{\"kind\": \"noop\", \"queue\": \"b\"}, {\"kind\": \"noop\", \"queue\": \"b\"}]}")
                    .post("/api/v1/jobs/batch").then().statusCode(201).extract().path("jobs.id");

            Map<String, String> seen = new HashMap<>();
            while (seen.size() < 4) {
                SseClient.Event event = stream.next(WAIT);
                assertThat(event).as("announced without any worker running: %s", seen).isNotNull();
                JsonNode document = mapper.readTree(event.data());
                seen.put(document.get("id").asText(), document.get("status").asText());
                assertThat(event.id()).isEqualTo("0");
            }
            assertThat(seen).containsEntry(pending, "pending").containsEntry(scheduled, "scheduled")
                    .containsEntry(batch.get(0), "pending").containsEntry(batch.get(1), "pending");

            harness.start("runner");
            String status = "";
            while (!status.equals("completed")) {
                JsonNode document = mapper.readTree(stream.next(WAIT).data());
                if (document.get("id").asText().equals(pending)) {
                    status = document.get("status").asText();
                }
            }
        }
    }
}
