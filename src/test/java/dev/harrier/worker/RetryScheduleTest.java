package dev.harrier.worker;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retry schedules: a Java kind's own (the enrichment seed's 60, 120, 240, 480 s), a job's own over
 * its kind's, and a remote kind's job's own; the wait between attempts is read from the job (its
 * {@code runAt} after the failure), and the clock is moved by making the retry due at once.
 */
@QuarkusTest
class RetryScheduleTest {

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

    /** The waits after each failed attempt, in seconds: each retry is made due as soon as it is scheduled. */
    private static List<Double> waits(String id, int attempts) {
        List<Double> waits = new ArrayList<>();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int expected = attempt;
            Awaitility.await().atMost(WAIT).until(() -> {
                JsonPath job = api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
                return job.getInt("attempt") == expected && List.of("retrying", "failed").contains(job.getString("status"));
            });
            JsonPath job = api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
            if ("retrying".equals(job.getString("status"))) {
                waits.add(Duration.between(Instant.parse(job.getString("error.at")), Instant.parse(job.getString("runAt"))).toMillis() / 1000.0);
                TestDatabase.execute("UPDATE harrier.jobs SET run_at = now() WHERE id = '" + id + "'");
            }
        }
        return waits;
    }

    @Test
    void aJavaKindsScheduleIsTheSeeds60To480SecondsAndAJobsOwnWins() {
        harness.start("a", b -> b.maintenance(true));
        String seed = api().body("{\"kind\": \"test-seed-retry\", \"maxAttempts\": 5, \"args\": {}}").post("/api/v1/jobs")
                .then().statusCode(201).extract().path("id");
        List<Double> waits = waits(seed, 5);
        assertThat(waits).hasSize(4);
        List<Double> expected = List.of(60.0, 120.0, 240.0, 480.0);
        for (int i = 0; i < 4; i++) {
            assertThat(waits.get(i)).as("wait after attempt " + (i + 1)).isCloseTo(expected.get(i), within(1.0));
        }
        harness.awaitStatus(UUID.fromString(seed), JobStatus.FAILED, WAIT);

        String own = api().body("{\"kind\": \"test-seed-retry\", \"maxAttempts\": 4, \"args\": {}, "
                        + "\"backoff\": {\"baseSeconds\": 2, \"factor\": 3, \"maxSeconds\": 10, \"jitter\": 0}}")
                .post("/api/v1/jobs").then().statusCode(201)
                .body("backoff.baseSeconds", equalTo(2)).body("backoff.factor", equalTo(3.0f)).extract().path("id");
        List<Double> ownWaits = waits(own, 4);
        assertThat(ownWaits).hasSize(3);
        assertThat(ownWaits.get(0)).isCloseTo(2.0, within(1.0));
        assertThat(ownWaits.get(1)).isCloseTo(6.0, within(1.0));
        assertThat(ownWaits.get(2)).isCloseTo(10.0, within(1.0));

        // Jitter takes up to that share off: a jitter of 1 gives anything from 0 to the full delay.
        String jittered = api().body("{\"kind\": \"test-fail\", \"maxAttempts\": 2, \"args\": {}, "
                + "\"backoff\": {\"baseSeconds\": 100, \"jitter\": 0.5}}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        List<Double> half = waits(jittered, 1);
        assertThat(half.get(0)).isBetween(49.0, 101.0);
    }

    @Test
    void badSchedulesAreRefusedNamingTheField() {
        api().body("{\"kind\": \"noop\", \"backoff\": {\"baseSeconds\": -1, \"factor\": 0.5, \"jitter\": 2, \"cap\": 3}}")
                .post("/api/v1/jobs").then().statusCode(400)
                .body("errors.field", hasItems("backoff.baseSeconds", "backoff.factor", "backoff.jitter", "backoff.cap"));
        api().body("{\"kind\": \"noop\", \"backoff\": {\"baseSeconds\": 10, \"maxSeconds\": 5}}")
                .post("/api/v1/jobs").then().statusCode(400).body("errors[0].field", equalTo("backoff.maxSeconds"));
        api().body("{\"kind\": \"noop\", \"backoff\": 60}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("backoff"));
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isZero();
    }

    @Test
    void aRemoteKindsJobUsesItsOwnScheduleOverTheKinds() {
        api().body("{\"backoff\": {\"baseSeconds\": 1, \"factor\": 2, \"maxSeconds\": 8, \"jitter\": 0}}")
                .put("/api/v1/kinds/remote-retry").then().statusCode(201);
        String id = api().body("{\"kind\": \"remote-retry\", \"maxAttempts\": 3, \"args\": {}, "
                        + "\"backoff\": {\"baseSeconds\": 300, \"factor\": 2, \"jitter\": 0}}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        String token = api().body("{\"worker\": \"w\", \"kinds\": [\"remote-retry\"], \"max\": 1, \"waitSeconds\": 5}")
                .post("/api/v1/workers/claim").then().statusCode(200).body("jobs[0].id", equalTo(id))
                .body("jobs[0].backoff.baseSeconds", equalTo(300)).extract().path("jobs[0].leaseToken");
        api().header("Harrier-Lease", token).body("{\"message\": \"Rate limit exceeded\"}").post("/api/v1/jobs/" + id + "/fail")
                .then().statusCode(200).body("status", equalTo("retrying"));
        JsonPath job = api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
        double wait = Duration.between(Instant.parse(job.getString("error.at")), Instant.parse(job.getString("runAt"))).toMillis() / 1000.0;
        assertThat(wait).isCloseTo(300.0, within(1.0));
    }
}
