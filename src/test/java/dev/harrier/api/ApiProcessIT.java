package dev.harrier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.SseClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The API of the packaged service: the generated key, and an event stream resumed across a restart. */
class ApiProcessIT {

    private static final Pattern PRINTED_KEY = Pattern.compile("\\n\\s+(hk_[A-Za-z0-9_-]{20,})\\s*\\n");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void awaitReady(HarrierProcess harrier) {
        harrier.awaitReady(Duration.ofSeconds(60));
    }

    @Test
    void withNoKeyConfiguredOneIsCreatedPrintedOnceAndKeptOnlyAsAHashAndAStreamResumesAcrossARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("harrier-api-it");
        Map<String, String> env = Map.of("HARRIER_EMBEDDED_DB_DIR", dataDir.toString(), "HARRIER_WORKER_SHUTDOWN_GRACE", "1s");
        String key;
        String jobId;
        String lastSeen;
        List<String> before = new ArrayList<>();
        try (HarrierProcess first = HarrierProcess.start(env)) {
            awaitReady(first);
            Matcher printed = PRINTED_KEY.matcher(first.output());
            assertThat(printed.find()).as("the generated key is printed:\n%s", first.output()).isTrue();
            key = printed.group(1);
            given().get(first.baseUrl() + "/api/v1/jobs").then().statusCode(401);
            given().header("Authorization", "Bearer " + key).get(first.baseUrl() + "/api/v1/jobs").then().statusCode(200);

            jobId = given().header("Authorization", "Bearer " + key).contentType("application/json")
                    .body("{\"kind\": \"noop\", \"args\": {\"sleepMs\": 600000}}")
                    .post(first.baseUrl() + "/api/v1/jobs").then().statusCode(201).extract().path("id");
            try (SseClient stream = SseClient.open(first.baseUrl() + "/api/v1/jobs/" + jobId + "/events",
                    Map.of("Authorization", "Bearer " + key))) {
                SseClient.Event event = stream.next(Duration.ofSeconds(20));
                before.add(event.id());
                while (!JSON.readTree(event.data()).get("status").asText().equals("running")) {
                    event = stream.next(Duration.ofSeconds(20));
                    before.add(event.id());
                }
                lastSeen = event.id();
            }
            first.stop(Duration.ofSeconds(30));
        }

        try (HarrierProcess second = HarrierProcess.start(env)) {
            awaitReady(second);
            assertThat(PRINTED_KEY.matcher(second.output()).find()).as("printed once only").isFalse();
            assertThat(second.output()).doesNotContain(key);
            try (SseClient stream = SseClient.open(second.baseUrl() + "/api/v1/jobs/" + jobId + "/events",
                    Map.of("Authorization", "Bearer " + key, "Last-Event-ID", lastSeen))) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.next(Duration.ofSeconds(20)).id()).as("the snapshot first").isNull();
                SseClient.Event missed = stream.next(Duration.ofSeconds(20));
                assertThat(Long.parseLong(missed.id())).as("the first event after %s, none lost or repeated", lastSeen)
                        .isEqualTo(Long.parseLong(lastSeen) + 1);
                assertThat(JSON.readTree(missed.data()).get("status").asText()).as("handed back at the shutdown").isEqualTo("pending");
                SseClient.Event next = stream.next(Duration.ofSeconds(20));
                assertThat(Long.parseLong(next.id())).isEqualTo(Long.parseLong(lastSeen) + 2);
                assertThat(JSON.readTree(next.data()).get("status").asText()).isEqualTo("running");
            }
            given().header("Authorization", "Bearer " + key).post(second.baseUrl() + "/api/v1/jobs/" + jobId + "/cancel")
                    .then().statusCode(202);
            second.stop(Duration.ofSeconds(30));
        }
    }
}
