package dev.harrier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every job endpoint and its documented status codes, with the "default" workspace's key. */
@QuarkusTest
class ApiJobsTest {

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

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }

    @Test
    void enqueueAnswers201WithLocationAndTheJob() {
        String location = api().body("""
                        {"kind": "noop", "args": {"sleepMs": 5}, "queue": "q1", "priority": 3, "maxAttempts": 2,
                         "timeoutSeconds": 30, "tags": ["user:42"]}""")
                .post("/api/v1/jobs").then().log().ifValidationFails()
                .statusCode(201)
                .header("Location", startsWith("/api/v1/jobs/"))
                .body("kind", equalTo("noop"))
                .body("queue", equalTo("q1"))
                .body("status", equalTo("pending"))
                .body("priority", equalTo(3))
                .body("attempt", equalTo(0))
                .body("maxAttempts", equalTo(2))
                .body("args.sleepMs", equalTo(5))
                .body("tags[0]", equalTo("user:42"))
                .body("progress", nullValue())
                .body("error", nullValue())
                .body("createdAt", notNullValue())
                .body("duplicate", equalTo(false))
                .extract().header("Location");

        api().get(location).then().statusCode(200).body("kind", equalTo("noop")).body("duplicate", nullValue());
    }

    @Test
    void aSecondEnqueueWithALiveUniqueKeyAnswers200WithTheExistingJob() {
        String body = "{\"kind\": \"noop\", \"uniqueKey\": \"search:user-42\"}";
        String id = api().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");

        api().body(body).post("/api/v1/jobs").then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("duplicate", equalTo(true));
    }

    @Test
    void aBatchIsCreatedInOrder() {
        api().body("{\"jobs\": [{\"kind\": \"noop\", \"args\": {\"sleepMs\": 1}}, {\"kind\": \"noop\", \"args\": {\"sleepMs\": 2}}]}")
                .post("/api/v1/jobs/batch").then()
                .statusCode(201)
                .body("jobs", hasSize(2))
                .body("jobs[0].args.sleepMs", equalTo(1))
                .body("jobs[1].args.sleepMs", equalTo(2));
    }

    @Test
    void aJobRunsAndItsDocumentShowsTheResult() {
        harness.start("api-runner");
        String id = api().body("{\"kind\": \"noop\", \"args\": {\"sleepMs\": 1}}").post("/api/v1/jobs").then()
                .statusCode(201).extract().path("id");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, Duration.ofSeconds(10));

        api().get("/api/v1/jobs/" + id).then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("attempt", equalTo(1))
                .body("result.sleptMs", equalTo(1))
                .body("startedAt", notNullValue())
                .body("finishedAt", notNullValue());
    }

    @Test
    void theListIsNewestFirstFilteredAndPaged() {
        for (int i = 0; i < 5; i++) {
            api().body("{\"kind\": \"noop\", \"queue\": \"" + (i % 2 == 0 ? "even" : "odd") + "\", \"tags\": [\"n:" + i + "\"]}")
                    .post("/api/v1/jobs").then().statusCode(201);
        }

        String cursor = api().get("/api/v1/jobs?limit=2").then().statusCode(200)
                .body("jobs", hasSize(2))
                .body("jobs[0].tags[0]", equalTo("n:4"))
                .body("jobs[1].tags[0]", equalTo("n:3"))
                .body("nextCursor", notNullValue())
                .extract().path("nextCursor");
        api().get("/api/v1/jobs?limit=2&cursor=" + cursor).then().statusCode(200)
                .body("jobs[0].tags[0]", equalTo("n:2"))
                .body("jobs[1].tags[0]", equalTo("n:1"));
        api().get("/api/v1/jobs?limit=10").then().statusCode(200).body("jobs", hasSize(5)).body("nextCursor", nullValue());
        api().get("/api/v1/jobs?queue=even").then().body("jobs", hasSize(3));
        api().get("/api/v1/jobs?tag=n:3").then().body("jobs", hasSize(1)).body("jobs[0].queue", equalTo("odd"));
        api().get("/api/v1/jobs?status=pending&kind=noop").then().body("jobs", hasSize(5));
        api().get("/api/v1/jobs?status=completed").then().body("jobs", hasSize(0));
    }

    @Test
    void repeatedStatusesMeanAnyOfThemAndRepeatedTagsMeanAllOfThem() {
        api().body("{\"kind\": \"noop\", \"tags\": [\"user:1\", \"board:a\"]}").post("/api/v1/jobs").then().statusCode(201);
        api().body("{\"kind\": \"noop\", \"tags\": [\"user:1\"]}").post("/api/v1/jobs").then().statusCode(201);
        api().body("{\"kind\": \"noop\", \"tags\": [\"user:2\", \"board:a\"]}").post("/api/v1/jobs").then().statusCode(201);
        api().body("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\", \"tags\": [\"user:1\", \"board:a\"]}")
                .post("/api/v1/jobs").then().statusCode(201);

        api().get("/api/v1/jobs?tag=user:1&tag=board:a").then().statusCode(200).body("jobs", hasSize(2));
        api().get("/api/v1/jobs?tag=user:1").then().body("jobs", hasSize(3));
        api().get("/api/v1/jobs?status=pending&status=scheduled").then().body("jobs", hasSize(4));
        api().get("/api/v1/jobs?status=scheduled").then().body("jobs", hasSize(1));
        api().get("/api/v1/jobs?status=scheduled&status=completed&tag=board:a").then().body("jobs", hasSize(1));
        api().get("/api/v1/jobs?status=pending&status=done").then().statusCode(400).body("errors[0].field", equalTo("status"));
    }

    @Test
    void theUnfilteredListMergesEveryStatusNewestFirstAcrossPages() {
        String[] ids = new String[4];
        ids[0] = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        ids[1] = api().body("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\"}").post("/api/v1/jobs")
                .then().statusCode(201).body("status", equalTo("scheduled")).extract().path("id");
        ids[2] = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        ids[3] = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        api().post("/api/v1/jobs/" + ids[2] + "/cancel").then().statusCode(200);

        String cursor = api().get("/api/v1/jobs?limit=3").then().statusCode(200)
                .body("jobs.id", Matchers.contains(ids[3], ids[2], ids[1]))
                .body("jobs.status", Matchers.contains("pending", "cancelled", "scheduled"))
                .extract().path("nextCursor");
        api().get("/api/v1/jobs?limit=3&cursor=" + cursor).then().statusCode(200)
                .body("jobs.id", Matchers.contains(ids[0]))
                .body("nextCursor", nullValue());
    }

    @Test
    void runningJobsAreListedNewestFirstAndPagedThoughTheListingIndexLeavesThemOut() {
        // Running under an instance that is not here, with a lease that lasts: nothing rescues them.
        TestDatabase.execute("""
                INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, created_at,
                                          started_at, lease_owner, lease_expires_at) VALUES
                  ('00000000-0000-7000-8000-000000000001', 'default', 'default', 'noop', 'running', 1, 5, now(),
                   now() - interval '3 seconds', now(), 'elsewhere', now() + interval '1 hour'),
                  ('00000000-0000-7000-8000-000000000002', 'default', 'default', 'noop', 'running', 1, 5, now(),
                   now() - interval '2 seconds', now(), 'elsewhere', now() + interval '1 hour'),
                  ('00000000-0000-7000-8000-000000000003', 'other', 'default', 'noop', 'running', 1, 5, now(),
                   now() - interval '2 seconds', now(), 'elsewhere', now() + interval '1 hour'),
                  ('00000000-0000-7000-8000-000000000004', 'default', 'default', 'noop', 'running', 1, 5, now(),
                   now() - interval '1 second', now(), 'elsewhere', now() + interval '1 hour')""");
        String pending = api().body("{\"kind\": \"noop\", \"queue\": \"parked\"}").post("/api/v1/jobs")
                .then().statusCode(201).extract().path("id");

        String cursor = api().get("/api/v1/jobs?status=running&limit=2").then().statusCode(200)
                .body("jobs.id", Matchers.contains("00000000-0000-7000-8000-000000000004", "00000000-0000-7000-8000-000000000002"))
                .extract().path("nextCursor");
        api().get("/api/v1/jobs?status=running&limit=2&cursor=" + cursor).then().statusCode(200)
                .body("jobs.id", Matchers.contains("00000000-0000-7000-8000-000000000001"))
                .body("nextCursor", nullValue());
        api().get("/api/v1/jobs?limit=2").then().statusCode(200)
                .body("jobs.id", Matchers.contains(pending, "00000000-0000-7000-8000-000000000004"))
                .body("jobs.status", Matchers.contains("pending", "running"));
    }

    @Test
    void cancelIsImmediateForAWaitingJobAnd409OnceTerminalAndRetryRunsItAgain() {
        String id = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().extract().path("id");

        api().post("/api/v1/jobs/" + id + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
        api().post("/api/v1/jobs/" + id + "/cancel").then().statusCode(409)
                .contentType("application/problem+json").body("status", equalTo(409));
        api().post("/api/v1/jobs/" + id + "/retry").then().statusCode(200).body("status", equalTo("pending"));
        api().post("/api/v1/jobs/" + id + "/retry").then().statusCode(409);
    }

    @Test
    void cancellingARunningJobAnswers202AndItEndsCancelled() {
        harness.start("api-runner");
        String id = api().body("{\"kind\": \"test-hold\", \"args\": {\"key\": \"api-cancel\", \"holdAttempts\": 9}}")
                .post("/api/v1/jobs").then().extract().path("id");
        harness.awaitStatus(UUID.fromString(id), JobStatus.RUNNING, Duration.ofSeconds(10));

        // The reply shows the job as it is when the reply is read: its instance may already have
        // stopped it in the meantime.
        api().post("/api/v1/jobs/" + id + "/cancel").then().statusCode(202)
                .body("status", Matchers.anyOf(equalTo("running"), equalTo("cancelled")));
        harness.awaitStatus(UUID.fromString(id), JobStatus.CANCELLED, Duration.ofSeconds(10));
    }

    @Test
    void logsAndItemsOfAJob() {
        harness.start("api-runner");
        String id = api().body("{\"kind\": \"test-fail\", \"maxAttempts\": 1}").post("/api/v1/jobs").then().extract().path("id");
        harness.awaitStatus(UUID.fromString(id), JobStatus.FAILED, Duration.ofSeconds(10));

        api().get("/api/v1/jobs/" + id + "/logs").then().statusCode(200)
                .body("logs", hasSize(1))
                .body("logs[0].level", equalTo("error"))
                .body("logs[0].message", startsWith("attempt 1 failed: boom on attempt 1"))
                .body("logs[0].seq", notNullValue())
                .body("logs[0].at", notNullValue());
        api().get("/api/v1/jobs/" + id).then().body("error.message", equalTo("boom on attempt 1"))
                .body("error.type", equalTo("handler")).body("error.attempt", equalTo(1));
        api().get("/api/v1/jobs/" + id + "/items").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void unknownJobsAre404ProblemDocuments() {
        for (String path : new String[] {"", "/logs", "/items"}) {
            api().get("/api/v1/jobs/" + UUID.randomUUID() + path).then().statusCode(404)
                    .contentType("application/problem+json").body("status", equalTo(404)).body("title", equalTo("Not found"));
        }
        api().get("/api/v1/jobs/not-an-id").then().statusCode(404);
        api().post("/api/v1/jobs/" + UUID.randomUUID() + "/cancel").then().statusCode(404);
        api().post("/api/v1/jobs/" + UUID.randomUUID() + "/retry").then().statusCode(404);
        api().body("{}").post("/api/v1/jobs/" + UUID.randomUUID() + "/tokens").then().statusCode(404);
    }

    @Test
    void queuesShowCountsAndPatchPausesAndLimits() {
        api().body("{\"kind\": \"noop\", \"queue\": \"mail\"}").post("/api/v1/jobs").then().statusCode(201);

        api().get("/api/v1/queues").then().statusCode(200)
                .body("queues.find { it.name == 'mail' }.counts.pending", equalTo(1))
                .body("queues.find { it.name == 'mail' }.counts.completed", equalTo(0))
                .body("queues.find { it.name == 'mail' }.paused", equalTo(false))
                .body("queues.find { it.name == 'mail' }.oldestPendingAgeSeconds", notNullValue());
        api().body("{\"paused\": true, \"concurrency\": 20}").patch("/api/v1/queues/mail").then().statusCode(200)
                .body("name", equalTo("mail")).body("paused", equalTo(true)).body("concurrency", equalTo(20));
        api().body("{\"concurrency\": null}").patch("/api/v1/queues/mail").then().statusCode(200)
                .body("paused", equalTo(true)).body("concurrency", nullValue());
        String queue = api().get("/api/v1/queues").then().statusCode(200).extract().asString();
        assertThat(queue).as("a null is written, as in the job document, not left out").contains("\"concurrency\":null");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.queues WHERE name = 'mail' AND paused")).isEqualTo(1);
    }
}
