package dev.harrier.limit;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.Management;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared limits on one instance: the endpoints, and jobs of several kinds held to one limit together. */
@QuarkusTest
class SharedLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

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
    void limitsAreCreatedReplacedListedAndDeletedPerWorkspaceAndBadOnesAreRefused() {
        api().body("{\"requests\": 5, \"perSeconds\": 1, \"concurrency\": 10}").put("/api/v1/limits/apollo").then().statusCode(201)
                .body("name", equalTo("apollo")).body("requests", equalTo(5)).body("perSeconds", equalTo(1.0f))
                .body("concurrency", equalTo(10));
        api().body("{\"concurrency\": 3}").put("/api/v1/limits/apollo").then().statusCode(200)
                .body("requests", nullValue()).body("concurrency", equalTo(3));
        api().body("{\"requests\": 100, \"perSeconds\": 60}").put("/api/v1/limits/board.indeed").then().statusCode(201);
        api().get("/api/v1/limits").then().statusCode(200).body("limits", hasSize(2)).body("limits[0].name", equalTo("apollo"));
        api().get("/api/v1/limits/board.indeed").then().statusCode(200).body("perSeconds", equalTo(60.0f));
        given().header("Authorization", "Bearer test-key-other").get("/api/v1/limits").then().statusCode(200).body("limits", hasSize(0));
        given().header("Authorization", "Bearer test-key-other").delete("/api/v1/limits/apollo").then().statusCode(404);

        api().body("{}").put("/api/v1/limits/x").then().statusCode(400).body("errors.field", hasItem("requests"));
        api().body("{\"requests\": 5}").put("/api/v1/limits/x").then().statusCode(400).body("errors.field", hasItem("perSeconds"));
        api().body("{\"concurrency\": 0}").put("/api/v1/limits/x").then().statusCode(400).body("errors.field", hasItem("concurrency"));
        api().body("{\"concurrency\": 1}").put("/api/v1/limits/bad name").then().statusCode(400).body("errors[0].field", equalTo("name"));
        api().body("{\"kind\": \"http\", \"args\": {\"url\": \"http://127.0.0.1/\", \"limit\": \"no way\"}}").post("/api/v1/jobs")
                .then().statusCode(400).body("errors[0].field", equalTo("args.limit"));
        given().get("/api/v1/limits").then().statusCode(401);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.limits")).isEqualTo(2);

        api().delete("/api/v1/limits/apollo").then().statusCode(204);
        api().delete("/api/v1/limits/apollo").then().statusCode(404);
        api().get("/api/v1/limits/apollo").then().statusCode(404);
    }

    @Test
    void scrapeEnrichAndHttpJobsShareOneLimitsRateAndConcurrency() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (StubServer stub = new StubServer()) {
            stub.withoutRecording().on("/api", r -> {
                arrivals.add(System.nanoTime());
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                vertx.setTimer(150, id -> {
                    inFlight.decrementAndGet();
                    r.response().putHeader("Content-Type", "application/json").end("{\"ok\": true}");
                });
            });
            harness.start("a");
            api().body("{\"requests\": 20, \"perSeconds\": 1, \"concurrency\": 3}").put("/api/v1/limits/shared-acct").then().statusCode(201);
            String urls = IntStream.range(0, 15).mapToObj(i -> "\"" + stub.url("/api?n=" + i) + "\"").collect(Collectors.joining(","));
            String records = IntStream.range(0, 15).mapToObj(i -> "{\"n\": " + i + "}").collect(Collectors.joining(","));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ids.add(api().body("{\"kind\": \"scrape\", \"args\": {\"urls\": [" + urls + "], \"concurrency\": 8, \"limit\": \"shared-acct\", "
                        + "\"extract\": {\"type\": \"raw\"}}}").post("/api/v1/jobs").then().statusCode(201).extract().path("id"));
            }
            ids.add(api().body("{\"kind\": \"enrich\", \"args\": {\"records\": [" + records + "], \"concurrency\": 8, "
                    + "\"limit\": \"shared-acct\", \"endpoint\": {\"url\": \"" + stub.url("/api") + "\"}}}")
                    .post("/api/v1/jobs").then().statusCode(201).extract().path("id"));
            for (int i = 0; i < 5; i++) {
                ids.add(api().body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/api") + "\", \"limit\": \"shared-acct\"}}")
                        .post("/api/v1/jobs").then().statusCode(201).extract().path("id"));
            }
            for (String id : ids) {
                harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
            }
            assertThat(arrivals).hasSize(50);
            assertThat(most.get()).as("requests in flight at once").isLessThanOrEqualTo(3);
            assertThat(mostInAnyWindow(arrivals, Duration.ofSeconds(1))).as("requests in any second").isLessThanOrEqualTo(21);
            String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("harrier_limit_granted_total{limit=\"shared-acct\",workspace=\"default\"} 50.0")
                    .contains("harrier_limit_waiting{limit=\"shared-acct\",workspace=\"default\"} 0.0")
                    .contains("harrier_limit_wait_seconds_count{limit=\"shared-acct\",workspace=\"default\"} 50");
        } finally {
            vertx.close();
        }
    }

    @Test
    void aLimitSlowerThanItsReservationHorizonStillLetsRequestsGo() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.on("/slow", r -> r.response().end("ok"));
            harness.start("a");
            // One request every 5 s: a spacing longer than the half lease (1 s) slots are reserved within.
            api().body("{\"requests\": 1, \"perSeconds\": 5}").put("/api/v1/limits/one-per-five").then().statusCode(201);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ids.add(api().body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/slow") + "\", \"limit\": \"one-per-five\"}}")
                        .post("/api/v1/jobs").then().statusCode(201).extract().path("id"));
            }
            for (String id : ids) {
                harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
            }
            List<StubServer.Received> received = stub.received();
            assertThat(received).hasSize(2);
            double apart = TestDatabase.queryLong("SELECT round(extract(EPOCH FROM max(finished_at) - min(finished_at)) * 1000) "
                    + "FROM harrier.jobs WHERE kind = 'http'") / 1000.0;
            assertThat(apart).as("the second request waited for the next slot").isGreaterThan(4.0);
        }
    }

    @Test
    void aJobNamingALimitThatDoesNotExistFailsForGood() {
        harness.start("a");
        String http = api().body("{\"kind\": \"http\", \"args\": {\"url\": \"http://127.0.0.1:9/\", \"limit\": \"missing\"}}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        String scrape = api().body("{\"kind\": \"scrape\", \"args\": {\"urls\": [\"http://127.0.0.1:9/\"], \"limit\": \"missing\"}}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        for (String id : List.of(http, scrape)) {
            harness.awaitStatus(UUID.fromString(id), JobStatus.FAILED, WAIT);
            api().get("/api/v1/jobs/" + id).then().body("error.type", equalTo("limit_unavailable")).body("attempt", equalTo(1));
        }
    }

    /** The most arrivals (nanos) within any window of the given length. */
    static int mostInAnyWindow(List<Long> arrivals, Duration window) {
        List<Long> sorted = arrivals.stream().sorted().toList();
        int most = 0;
        int start = 0;
        for (int end = 0; end < sorted.size(); end++) {
            while (sorted.get(end) - sorted.get(start) >= window.toNanos()) {
                start++;
            }
            most = Math.max(most, end - start + 1);
        }
        return most;
    }
}
