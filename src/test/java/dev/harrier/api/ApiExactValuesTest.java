package dev.harrier.api;

import static dev.harrier.api.ApiJobsTest.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the client sent is what is stored, sent on and shown: exact numbers, rows that cannot be
 * shown marked instead of breaking a page, requests that can never be sent failed for good, and a
 * unique key that keeps changing hands answered with a 409, not a 500.
 */
@QuarkusTest
class ApiExactValuesTest {

    private static final ObjectMapper EXACT = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

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
    void numbersInArgsKeepTheirExactValueInTheStoreInTheDocumentAndOnTheWire() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.on("/hook", request -> request.response().end("ok"));
            String id = api().body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/hook") + "\", \"method\": \"POST\", "
                    + "\"body\": {\"money\": 12345678901234567890.55, \"huge\": 1e400, \"tiny\": 1e-30}}}")
                    .post("/api/v1/jobs").then().statusCode(201).extract().path("id");

            String document = api().get("/api/v1/jobs/" + id).then().statusCode(200).extract().asString();
            JsonNode shown = EXACT.readTree(document).at("/args/body");
            assertThat(shown.get("money").decimalValue()).isEqualByComparingTo(new BigDecimal("12345678901234567890.55"));
            assertThat(shown.get("huge").decimalValue()).isEqualByComparingTo(new BigDecimal("1e400"));
            assertThat(shown.get("tiny").decimalValue()).isEqualByComparingTo(new BigDecimal("1e-30"));

            harness.start("sender");
            harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, Duration.ofSeconds(10));
            JsonNode sent = EXACT.readTree(stub.received().get(0).body());
            assertThat(sent.get("money").decimalValue()).isEqualByComparingTo(new BigDecimal("12345678901234567890.55"));
            assertThat(sent.get("huge").decimalValue()).as("not the string \"Infinity\"").isEqualByComparingTo(new BigDecimal("1e400"));
        }
    }

    @Test
    void aRunAtWithAnOffsetIsReadAsThatInstant() {
        api().body("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T09:30:00+01:00\"}").post("/api/v1/jobs").then()
                .statusCode(201).body("runAt", equalTo("2099-01-01T08:30:00Z")).body("status", equalTo("scheduled"));
        api().body("{\"kind\": \"noop\", \"runAt\": \"tomorrow\"}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("runAt"))
                .body("errors[0].message", startsWith("must be an ISO-8601 instant with an offset"));
    }

    @Test
    void aStoredRowThatCannotBeShownIsMarkedAndTheRestOfItsPageIsServed() {
        api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201);
        // Written by SQL or another version: nested deeper than the API writes back.
        String deep = "[".repeat(950) + "]".repeat(950);
        TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, args) VALUES "
                + "('00000000-0000-7000-8000-0000000000d1', 'default', 'default', 'noop', 'pending', 5, now(), '{\"x\": " + deep + "}')");

        var page = api().get("/api/v1/jobs").then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("jobs")).hasSize(2);
        assertThat(page.getString("jobs.find { it.id == '00000000-0000-7000-8000-0000000000d1' }.unreadable.args"))
                .contains("cannot be shown");
        api().get("/api/v1/jobs/00000000-0000-7000-8000-0000000000d1").then().statusCode(200)
                .body("args", equalTo(null)).body("unreadable.args", startsWith("the stored JSON cannot be shown"));
    }

    @Test
    void argsNestedDeeperThanCanBeShownAreRefusedAtEnqueue() {
        String deep = "[".repeat(600) + "]".repeat(600);
        api().body("{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"body\": " + deep + "}}")
                .post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", startsWith("args.body[0]"))
                .body("errors[0].message", startsWith("is nested more than 500 levels"));
    }

    @Test
    void aReplyNestedTooDeepToStoreFailsTheJobForGoodInsteadOfRetryingIt() throws Exception {
        try (StubServer stub = new StubServer()) {
            String deep = "[".repeat(700) + "]".repeat(700);
            stub.on("/deep", request -> request.response().putHeader("Content-Type", "application/json").end(deep));
            harness.start("deep");
            UUID id = harness.submit(new JobRequest("http", null,
                    harness.json("{\"url\": \"" + stub.url("/deep") + "\"}"), null, null, 3, null, null, null, null)).job().id();

            Job failed = harness.awaitStatus(id, JobStatus.FAILED, Duration.ofSeconds(10));
            assertThat(failed.attempt()).as("not retried").isEqualTo(1);
            assertThat(failed.error().message()).contains("cannot be written as JSON");
            assertThat(stub.count("/deep")).isEqualTo(1);
        }
    }

    @Test
    void aStoredHeaderThatCannotBeSentFailsForGoodOnTheFirstAttempt() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.on("/hook", request -> request.response().end("ok"));
            harness.submit("noop", "{}");   // the queue, as an enqueue through Harrier creates it
            TestDatabase.execute("INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, args) VALUES "
                    + "('00000000-0000-7000-8000-0000000000e1', 'default', 'default', 'http', 'pending', 5, now(), "
                    + "'{\"url\": \"" + stub.url("/hook") + "\", \"headers\": {\"X-A\": \"a\\r\\nX-Injected: 1\"}}')");
            harness.start("sender");

            Job failed = harness.awaitStatus(UUID.fromString("00000000-0000-7000-8000-0000000000e1"), JobStatus.FAILED,
                    Duration.ofSeconds(10));
            assertThat(failed.attempt()).isEqualTo(1);
            assertThat(failed.error().message()).contains("cannot be sent");
            assertThat(stub.count("/hook")).isZero();
        }
    }

    @Test
    void aUniqueKeyThatKeepsChangingHandsIsA409OrASuccessNeverA500() throws Exception {
        // A loop that ends the key's holder, then enqueues a new one, a few thousand times a second.
        TestDatabase.execute("""
                CREATE OR REPLACE PROCEDURE public.churn_key(seconds int) LANGUAGE plpgsql AS $$
                DECLARE stop timestamptz := clock_timestamp() + make_interval(secs => seconds);
                BEGIN
                    WHILE clock_timestamp() < stop LOOP
                        UPDATE harrier.jobs SET status = 'completed', finished_at = now()
                        WHERE workspace = 'default' AND unique_key = 'churn' AND status = 'pending';
                        COMMIT;
                        INSERT INTO harrier.jobs (id, workspace, queue, kind, status, max_attempts, run_at, unique_key)
                        VALUES (gen_random_uuid(), 'default', 'churn', 'noop', 'pending', 5, now(), 'churn')
                        ON CONFLICT DO NOTHING;
                        COMMIT;
                    END LOOP;
                END $$""");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?> churn = pool.submit(() -> TestDatabase.execute("CALL public.churn_key(6)"));
            Thread.sleep(300);
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                replies.add(pool.submit(() -> {
                    int worst = 0;
                    for (int n = 0; n < 150; n++) {
                        int status = api().body("{\"kind\": \"noop\", \"queue\": \"churn\", \"uniqueKey\": \"churn\"}")
                                .post("/api/v1/jobs").then().extract().statusCode();
                        worst = Math.max(worst, status == 200 || status == 201 || status == 409 ? 0 : status);
                    }
                    return worst;
                }));
            }
            for (Future<Integer> reply : replies) {
                assertThat(reply.get()).as("a status other than 200, 201 or 409").isZero();
            }
            churn.get();
        } finally {
            pool.shutdownNow();
            TestDatabase.execute("DROP PROCEDURE IF EXISTS public.churn_key(int)");
        }
    }
}
