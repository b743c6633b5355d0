package dev.harrier.stream;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Job streams resumed with an id the server never sent for that job. */
@QuarkusTest
class StreamResyncTest {

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

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private String status(SseClient.Event event) throws Exception {
        return mapper.readTree(event.data()).get("status").asText();
    }

    @Test
    void aLastEventIdBeyondTheJobsLatestEventResyncsAndTheStreamStillEndsWithTheJob() throws Exception {
        String id = api().body("{\"kind\": \"test-hold\", \"args\": {\"key\": \"future-id\", \"holdAttempts\": 1}}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        harness.start("resync-runner");
        harness.awaitStatus(UUID.fromString(id), JobStatus.RUNNING, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"),
                Map.of("Authorization", "Bearer test-key-default", "Last-Event-ID", "1000"))) {
            SseClient.Event snapshot = stream.next(WAIT);
            assertThat(status(snapshot)).isEqualTo("running");
            assertThat(snapshot.id()).as("a resync moves the client's cursor to the job's latest event").isEqualTo("1");

            HoldHandler.release("future-id", "done");
            List<SseClient.Event> rest = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":")).toList();
            assertThat(rest).as("the live events after the resync, up to the terminal one").isNotEmpty();
            assertThat(status(rest.get(rest.size() - 1))).isEqualTo("completed");
            assertThat(rest.get(rest.size() - 1).id()).isEqualTo("2");
        }
    }

    @Test
    void aLastEventIdBeyondAnEndedJobsLatestEventGetsItsDocumentAndTheStreamCloses() throws Exception {
        String id = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        harness.start("resync-runner");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events?lastEventId=99"),
                Map.of("Authorization", "Bearer test-key-default"))) {
            List<SseClient.Event> all = stream.untilEnd(WAIT);
            assertThat(all).hasSize(1);
            assertThat(status(all.get(0))).isEqualTo("completed");
        }
    }
}
