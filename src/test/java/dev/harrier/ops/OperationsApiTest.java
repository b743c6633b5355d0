package dev.harrier.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import dev.harrier.worker.Engine;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /api/v1/instances and GET /api/v1/stats, against instances and jobs whose numbers are known. */
@QuarkusTest
class OperationsApiTest {

    @Inject
    EngineHarness harness;

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void instancesShowEveryLiveInstanceWithItsLeaderAndRunningJobs() {
        Engine worker = harness.start("ops-worker");
        Engine other = harness.start("ops-other");
        TestDatabase.execute("INSERT INTO harrier.leaders (name, holder, expires_at) VALUES ('maintenance', 'ops-worker', now() + interval '1 minute')");
        // One that stopped heartbeating long ago is not live.
        TestDatabase.execute("INSERT INTO harrier.instances (id, host, heartbeat_at) VALUES ('ops-gone', 'h', now() - interval '10 minutes')");
        api().body("{\"kind\": \"test-hold\", \"args\": {\"key\": \"ops-running\", \"holdAttempts\": 1}, \"queue\": \"ops\"}")
                .post("/api/v1/jobs").then().statusCode(201);
        await().atMost(Duration.ofSeconds(15)).until(() -> HoldHandler.STARTED.contains("ops-running#1"));
        worker.heartbeatOnce().await().atMost(Duration.ofSeconds(5));
        other.heartbeatOnce().await().atMost(Duration.ofSeconds(5));

        JsonPath reply = api().get("/api/v1/instances").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> instances = reply.getList("instances");
        Map<String, Map<String, Object>> byId = new HashMap<>();
        instances.forEach(i -> byId.put((String) i.get("id"), i));
        assertThat(byId).containsKeys("ops-worker", "ops-other").doesNotContainKey("ops-gone");
        assertThat(byId.get("ops-worker")).containsEntry("worker", true).containsEntry("leader", true)
                .containsEntry("region", "test-region").containsKeys("version", "startedAt", "heartbeatAt");
        assertThat(byId.get("ops-worker").get("version")).isNotNull();
        assertThat(byId.get("ops-other")).containsEntry("leader", false).containsEntry("worker", true);
        // Either instance may have claimed the held job: between them they run exactly one.
        int running = (int) byId.get("ops-worker").get("running") + (int) byId.get("ops-other").get("running");
        assertThat(running).isEqualTo(1);
        HoldHandler.release("ops-running", "done");
    }

    @Test
    void statsCountOutcomesAndTimeRunsAndWaitsByKind() {
        // Three completed "a" runs of 1, 2 and 3 s after waits of 0, 1 and 2 s; the third took two attempts.
        insert("default", "a", "completed", 1, "10 minutes", 1, 0);
        insert("default", "a", "completed", 1, "20 minutes", 2, 1);
        insert("default", "a", "completed", 2, "30 minutes", 3, 2);
        insert("default", "b", "failed", 3, "40 minutes", 10, 0);
        insert("default", "b", "cancelled", 1, "50 minutes", 0.5, 0);
        // Outside the window, and another workspace's: counted nowhere.
        insert("default", "a", "failed", 1, "2 days", 100, 0);
        insert("other", "a", "failed", 1, "10 minutes", 200, 0);

        JsonPath stats = api().get("/api/v1/stats?since=24h").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getList("kinds.kind")).containsExactly("a", "b");
        assertThat(stats.getMap("kinds[0]")).containsEntry("completed", 3).containsEntry("failed", 0)
                .containsEntry("cancelled", 0).containsEntry("retried", 1);
        assertThat(stats.getDouble("kinds[0].runSeconds.p50")).isEqualTo(2.0);
        assertThat(stats.getDouble("kinds[0].runSeconds.p95")).isCloseTo(2.9, offset(1e-9));
        assertThat(stats.getDouble("kinds[0].runSeconds.max")).isEqualTo(3.0);
        assertThat(stats.getDouble("kinds[0].waitSeconds.p50")).isEqualTo(1.0);
        assertThat(stats.getDouble("kinds[0].waitSeconds.max")).isEqualTo(2.0);
        assertThat(stats.getMap("kinds[1]")).containsEntry("completed", 0).containsEntry("failed", 1)
                .containsEntry("cancelled", 1).containsEntry("retried", 1);
        assertThat(stats.getList("slowest.kind")).containsExactly("b", "a", "a", "a", "b");
        assertThat(stats.getString("slowest[0].status")).isEqualTo("failed");

        api().get("/api/v1/stats?since=7d").then().statusCode(200).body("kinds[0].failed", equalTo(1));
        api().get("/api/v1/stats?since=15m").then().statusCode(200).body("kinds", hasSize(1)).body("kinds[0].completed", equalTo(1));
        api().get("/api/v1/stats?since=2026-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].field", equalTo("since")).body("detail", containsString("retention"));
        api().get("/api/v1/stats?since=yesterday").then().statusCode(400).body("errors[0].field", equalTo("since"));
        given().get("/api/v1/stats").then().statusCode(401);
    }

    @Test
    void statsGiveSecondsToTheMicrosecond() {
        // Runs of 1.000001, 1.000002 and 1.000003 s: interpolated, the 95th percentile is 1.0000029 and some noise.
        insert("default", "c", "completed", 1, "10 minutes", 1.000001, 0);
        insert("default", "c", "completed", 1, "11 minutes", 1.000002, 0);
        insert("default", "c", "completed", 1, "12 minutes", 1.000003, 0);

        JsonPath stats = api().get("/api/v1/stats?since=24h").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getDouble("kinds[0].runSeconds.p50")).isEqualTo(1.000002);
        assertThat(stats.getDouble("kinds[0].runSeconds.p95")).isEqualTo(1.000003);
        assertThat(stats.getDouble("kinds[0].runSeconds.max")).isEqualTo(1.000003);
    }

    /** A finished job: it finished {@code ago}, ran {@code runSeconds} after waiting {@code waitSeconds}. */
    private static void insert(String workspace, String kind, String status, int attempt, String ago, double runSeconds,
                               double waitSeconds) {
        TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, "
                + "started_at, finished_at) SELECT gen_random_uuid(), '" + workspace + "', 'default', '" + kind + "', '" + status
                + "', " + attempt + ", 3, f - make_interval(secs => " + (runSeconds + waitSeconds) + "), f - make_interval(secs => "
                + runSeconds + "), f FROM (SELECT now() - interval '" + ago + "' AS f) t");
    }
}
