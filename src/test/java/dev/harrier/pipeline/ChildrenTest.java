package dev.harrier.pipeline;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Children and fan-in through the API: a parent whose handler succeeded waits for its children,
 * counts them exactly, follows them on its stream, and ends with the last one; cancel cascades.
 */
@QuarkusTest
class ChildrenTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> KEY = Map.of("Authorization", "Bearer test-key-default");

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

    private String enqueue(String body) {
        return api().body(body).post("/api/v1/jobs").then().log().ifValidationFails().statusCode(201).extract().path("id");
    }

    private String hold(String key, String parent, String extra) {
        return enqueue("{\"kind\": \"test-hold\", \"maxAttempts\": 1, \"args\": {\"key\": \"" + key + "\", \"holdAttempts\": 1}"
                + (parent == null ? "" : ", \"parentId\": \"" + parent + "\"") + extra + "}");
    }

    private void awaitStatus(String id, JobStatus status) {
        harness.awaitStatus(UUID.fromString(id), status, WAIT);
    }

    private String key(String name) {
        return name + "-" + UUID.randomUUID();
    }

    @Test
    void aParentWaitsForItsChildrenCountsThemAndCompletesWithTheLast() throws Exception {
        harness.start("a");
        String p = key("parent");
        String parent = hold(p, null, "");
        awaitStatus(parent, JobStatus.RUNNING);
        String[] keys = {key("c1"), key("c2"), key("c3")};
        String[] children = new String[3];
        for (int i = 0; i < 3; i++) {
            children[i] = hold(keys[i], parent, "");
        }
        for (String child : children) {
            awaitStatus(child, JobStatus.RUNNING);
        }
        api().get("/api/v1/jobs/" + parent).then()
                .body("children.total", equalTo(3))
                .body("children.running", equalTo(3))
                .body("children.pending", equalTo(0))
                .body("childFailure", equalTo("ignore"));

        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/jobs/" + parent + "/events", KEY)) {
            HoldHandler.release(p, "parent done");
            awaitStatus(parent, JobStatus.WAITING);
            api().get("/api/v1/jobs/" + parent).then()
                    .body("status", equalTo("waiting"))
                    .body("result", startsWith("parent done"))
                    .body("finishedAt", equalTo(null))
                    .body("progress.step", equalTo("children"))
                    .body("progress.done", equalTo(0))
                    .body("progress.total", equalTo(3));

            HoldHandler.release(keys[0], "one");
            HoldHandler.release(keys[1], "two");
            awaitStatus(children[1], JobStatus.COMPLETED);
            awaitStatus(children[0], JobStatus.COMPLETED);
            api().get("/api/v1/jobs/" + parent).then()
                    .body("status", equalTo("waiting"))
                    .body("progress.done", equalTo(2))
                    .body("children.completed", equalTo(2))
                    .body("children.running", equalTo(1));
            HoldHandler.fail(keys[2], "boom");
            awaitStatus(parent, JobStatus.COMPLETED);

            List<SseClient.Event> events = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":")).toList();
            List<JsonNode> childEvents = events.stream().filter(e -> e.name().equals("child")).map(this::json).toList();
            assertThat(childEvents).hasSize(3);
            assertThat(childEvents.stream().map(e -> e.get("status").asText()).sorted().toList())
                    .containsExactly("completed", "completed", "failed");
            assertThat(childEvents.stream().map(e -> e.get("id").asText()).toList()).containsExactlyInAnyOrder(children);
            assertThat(childEvents.get(0).get("kind").asText()).isEqualTo("test-hold");
            JsonNode lastProgress = events.stream().filter(e -> e.name().equals("progress")).map(this::json)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(lastProgress.get("done").asInt()).isEqualTo(3);
            assertThat(lastProgress.get("total").asInt()).isEqualTo(3);
        }
        api().get("/api/v1/jobs/" + parent).then()
                .body("status", equalTo("completed"))
                .body("children.total", equalTo(3))
                .body("children.completed", equalTo(2))
                .body("children.failed", equalTo(1))
                .body("children.pending", equalTo(0));
        api().get("/api/v1/jobs?parent=" + parent).then().body("jobs", hasSize(3));
        api().get("/api/v1/jobs?parent=" + parent + "&status=failed").then()
                .body("jobs", hasSize(1))
                .body("jobs[0].id", equalTo(children[2]));
        api().get("/api/v1/jobs?status=waiting").then().body("jobs", hasSize(0));
    }

    @Test
    void withChildFailureFailTheParentFailsNamingTheFailedChild() {
        harness.start("a");
        String p = key("parent");
        String parent = hold(p, null, ", \"childFailure\": \"fail\"");
        awaitStatus(parent, JobStatus.RUNNING);
        String ok = key("ok");
        String bad = key("bad");
        String good = hold(ok, parent, "");
        String failed = hold(bad, parent, "");
        HoldHandler.fail(bad, "no luck");
        awaitStatus(failed, JobStatus.FAILED);
        HoldHandler.release(p, "handler done");
        awaitStatus(parent, JobStatus.WAITING);
        api().get("/api/v1/jobs?status=waiting").then().body("jobs", hasSize(1)).body("jobs[0].id", equalTo(parent));
        api().get("/api/v1/queues").then().body("queues[0].counts.waiting", equalTo(1));
        HoldHandler.release(ok, "fine");
        awaitStatus(good, JobStatus.COMPLETED);
        awaitStatus(parent, JobStatus.FAILED);
        api().get("/api/v1/jobs/" + parent).then()
                .body("childFailure", equalTo("fail"))
                .body("error.type", equalTo("child_failed"))
                .body("error.message", startsWith("1 of 2 children failed: " + failed));
    }

    @Test
    void aParentThatCompletedTakesNoMoreChildrenAndOneWithoutChildrenNeverWaits() {
        harness.start("a");
        String parent = enqueue("{\"kind\": \"noop\"}");
        awaitStatus(parent, JobStatus.COMPLETED);
        api().get("/api/v1/jobs/" + parent).then().body("children", equalTo(null));
        api().body("{\"kind\": \"noop\", \"parentId\": \"" + parent + "\"}").post("/api/v1/jobs").then()
                .statusCode(400)
                .body("errors[0].field", equalTo("parentId"))
                .body("errors[0].message", startsWith("job " + parent + " has ended (completed)"));
        api().get("/api/v1/jobs?parent=" + parent).then().body("jobs", hasSize(0));
    }

    @Test
    void cancellingAParentCancelsItsChildrenWaitingAndRunning() {
        harness.start("a");
        String p = key("parent");
        String parent = hold(p, null, "");
        awaitStatus(parent, JobStatus.RUNNING);
        String r = key("running");
        String running = hold(r, parent, "");
        awaitStatus(running, JobStatus.RUNNING);
        String later = enqueue("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\", \"parentId\": \"" + parent + "\"}");
        String grandchild = enqueue("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\", \"parentId\": \"" + later + "\"}");
        api().post("/api/v1/jobs/" + parent + "/cancel").then().statusCode(202);
        awaitStatus(later, JobStatus.CANCELLED);
        awaitStatus(grandchild, JobStatus.CANCELLED);
        awaitStatus(running, JobStatus.CANCELLED);
        awaitStatus(parent, JobStatus.CANCELLED);
        Awaitility.await().atMost(WAIT).untilAsserted(() -> api().get("/api/v1/jobs/" + parent).then()
                .body("children.cancelled", equalTo(2))
                .body("children.pending", equalTo(0)));
    }

    @Test
    void aBulkRetryRunsAgainOnlyWhatFailedUnderTheParentAndDoesNotReopenIt() {
        harness.start("a");
        String p = key("parent");
        String parent = hold(p, null, "");
        awaitStatus(parent, JobStatus.RUNNING);
        String first = enqueue("{\"kind\": \"test-fail\", \"maxAttempts\": 1, \"args\": {}, \"parentId\": \"" + parent + "\"}");
        String second = enqueue("{\"kind\": \"test-fail\", \"maxAttempts\": 1, \"args\": {}, \"parentId\": \"" + parent + "\"}");
        String fine = enqueue("{\"kind\": \"noop\", \"parentId\": \"" + parent + "\"}");
        String stranger = enqueue("{\"kind\": \"test-fail\", \"maxAttempts\": 1, \"args\": {}}");
        awaitStatus(first, JobStatus.FAILED);
        awaitStatus(second, JobStatus.FAILED);
        awaitStatus(fine, JobStatus.COMPLETED);
        awaitStatus(stranger, JobStatus.FAILED);
        HoldHandler.release(p, "done");
        awaitStatus(parent, JobStatus.COMPLETED);

        api().body("{\"parent\": \"" + parent + "\", \"status\": [\"completed\"]}").post("/api/v1/jobs/retry").then()
                .statusCode(400).body("errors[0].field", equalTo("status"));
        api().body("{\"parent\": \"" + parent + "\", \"status\": [\"failed\"]}").post("/api/v1/jobs/retry").then()
                .statusCode(200).body("retried", equalTo(2));
        Awaitility.await().atMost(WAIT).untilAsserted(() -> api().get("/api/v1/jobs/" + parent).then()
                .body("children.failed", equalTo(2))
                .body("children.pending", equalTo(0)));
        api().get("/api/v1/jobs/" + parent).then().body("status", equalTo("completed"));
        api().get("/api/v1/jobs/" + first).then().body("attempt", equalTo(1)).body("status", equalTo("failed"));
        api().get("/api/v1/jobs/" + stranger).then().body("status", equalTo("failed"));
        api().get("/api/v1/jobs/" + fine).then().body("status", equalTo("completed"));
        api().body("{\"tag\": [\"nobody\"]}").post("/api/v1/jobs/retry").then().statusCode(200).body("retried", equalTo(0));
        given().contentType("application/json").body("{}").post("/api/v1/jobs/retry").then().statusCode(401);
    }

    private JsonNode json(SseClient.Event event) {
        try {
            return mapper.readTree(event.data());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
