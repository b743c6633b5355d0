package dev.harrier.remote;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.sql.Table;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Remote workers through the HTTP API: claim with the long poll, report, finish, lose the lease, cancel, fail. */
@QuarkusTest
class ApiRemoteWorkersTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool pool;

    @Inject
    JobClaimer claimer;

    @Inject
    ObjectMapper mapper;

    @Inject
    WorkerClaims claims;

    @Inject
    MeterRegistry meters;

    @BeforeEach
    void declare() {
        TestDatabase.clean();
        api().body("""
                {"argsSchema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
                 "maxAttempts": 3, "backoff": {"baseSeconds": 1, "factor": 2, "maxSeconds": 8, "jitter": 0}}""")
                .put("/api/v1/kinds/search").then().statusCode(201);
    }

    private static String enqueue(String queue) {
        return api().body("{\"kind\": \"search\", \"queue\": \"" + queue + "\", \"args\": {\"query\": \"java\"}}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private static ExtractableResponse<Response> claim(String worker, int max, int waitSeconds) {
        return api().body("{\"worker\": \"" + worker + "\", \"kinds\": [\"search\"], \"max\": " + max + ", \"waitSeconds\": "
                + waitSeconds + "}").post("/api/v1/workers/claim").then().extract();
    }

    /** Claims exactly one job; its lease token. */
    private static String claimOne(String worker, String id) {
        ExtractableResponse<Response> claimed = claim(worker, 1, 5);
        assertThat(claimed.statusCode()).isEqualTo(200);
        assertThat(claimed.<String>path("jobs[0].id")).isEqualTo(id);
        return claimed.path("jobs[0].leaseToken");
    }

    private static RequestSpecification lease(String token) {
        return api().header("Harrier-Lease", token);
    }

    /** The lease of a job ran out and the rescue took it back, as maintenance does; it is pending again. */
    private void expireAndRescue(String id) {
        TestDatabase.execute("UPDATE harrier.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = '" + id + "'");
        pool.preparedQuery(Table.JOBS.sql("rescue_expired")).execute(Tuple.of(100)).await().indefinitely();
        pool.preparedQuery(Table.JOBS.sql("promote_due")).execute(Tuple.of(100, null)).await().indefinitely();
    }

    @Test
    void aClaimMadeBeforeTheEnqueueAnswersAsSoonAsTheJobComes() throws Exception {
        CompletableFuture<ExtractableResponse<Response>> waiting = CompletableFuture.supplyAsync(() -> claim("py-1", 10, 20));
        Thread.sleep(500);
        assertThat(waiting).as("nothing to claim yet: the claim waits").isNotDone();
        long enqueued = System.nanoTime();
        String id = enqueue("default");
        ExtractableResponse<Response> claimed = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Duration after = Duration.ofNanos(System.nanoTime() - enqueued);
        assertThat(claimed.statusCode()).isEqualTo(200);
        assertThat(claimed.<List<Object>>path("jobs")).hasSize(1);
        assertThat(claimed.<String>path("jobs[0].id")).isEqualTo(id);
        assertThat(claimed.<String>path("jobs[0].status")).isEqualTo("running");
        assertThat(claimed.<Integer>path("jobs[0].attempt")).isEqualTo(1);
        assertThat(claimed.<String>path("jobs[0].args.query")).isEqualTo("java");
        assertThat(claimed.<String>path("jobs[0].leaseToken")).hasSize(32);
        assertThat(claimed.<String>path("jobs[0].leaseExpiresAt")).isNotNull();
        assertThat(claimed.<String>path("jobs[0].timeoutAt")).isNotNull();
        // Woken by the notification, not the poll (500 ms in tests) nor the wait (20 s): well before either
        // on any machine that runs the rest of this suite. Latency itself is measured in bench/remote.sh.
        assertThat(after).as("answered after the enqueue").isLessThan(Duration.ofSeconds(10));

        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("running"))
                .body("leaseToken", nullValue());
        assertThat(claim("py-2", 1, 0).statusCode()).as("nothing left").isEqualTo(204);
    }

    @Test
    void aHundredWaitingClaimsCostOneClaimPassPerWakeUpAndNoConnection() throws Exception {
        int n = 100;
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + "/api/v1/workers/claim"))
                    .header("Authorization", "Bearer test-key-default").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"worker\": \"w" + i + "\", \"kinds\": [\"search\"], \"waitSeconds\": 12}"))
                    .build();
            waiting.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(WAIT).until(() -> claims.waiting() == n);
        int connections = (int) TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()");
        double before = passes();
        Thread.sleep(1_500);
        // Idle, only the poll (500 ms in tests) looks: one pass for all of them, not one each.
        assertThat(passes() - before).as("claim passes while %d claims wait for 1.5 s", n).isLessThanOrEqualTo(6);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"))
                .as("no connection held by the waiting claims").isLessThanOrEqualTo(connections);

        double enqueued = passes();
        api().body("{\"jobs\": [" + String.join(",", Collections.nCopies(10, "{\"kind\": \"search\", \"args\": {\"query\": \"x\"}}"))
                + "]}").post("/api/v1/jobs/batch").then().statusCode(201);
        await().atMost(WAIT).until(() -> waiting.stream().filter(CompletableFuture::isDone).count() == 10);
        assertThat(waiting.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).map(HttpResponse::statusCode))
                .containsOnly(200);
        assertThat(claims.waiting()).isEqualTo(n - 10);
        // Each waiter that claimed a job (max 1) passes the turn on; the eleventh finds none; polls may add a few.
        assertThat(passes() - enqueued).as("claim passes for 10 jobs among %d waiters", n).isLessThanOrEqualTo(20);
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
        assertThat(waiting.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 204)).hasSize(n - 10);
        assertThat(claims.waiting()).isZero();
    }

    @Test
    void aWakeUpReachesAWaiterOfAnotherKindBehindTheOldest() throws Exception {
        api().put("/api/v1/kinds/other").then().statusCode(201);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<ExtractableResponse<Response>> other = CompletableFuture.supplyAsync(() -> api()
                .body("{\"worker\": \"o\", \"kinds\": [\"other\"], \"waitSeconds\": 20}").post("/api/v1/workers/claim")
                .then().extract(), threads);
        await().atMost(WAIT).until(() -> claims.waiting() == 1);
        CompletableFuture<ExtractableResponse<Response>> search = CompletableFuture.supplyAsync(() -> claim("s", 1, 20), threads);
        await().atMost(WAIT).until(() -> claims.waiting() == 2);
        long enqueued = System.nanoTime();
        String id = enqueue("default");
        ExtractableResponse<Response> claimed = search.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(claimed.<String>path("jobs[0].id")).isEqualTo(id);
        // Not left to its wait (20 s): the oldest waiter's empty claim passed the turn to the other kind.
        assertThat(Duration.ofNanos(System.nanoTime() - enqueued)).isLessThan(Duration.ofSeconds(10));
        assertThat(other).isNotDone();
        String otherId = api().body("{\"kind\": \"other\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        assertThat(other.get(WAIT.toSeconds(), TimeUnit.SECONDS).<String>path("jobs[0].id")).isEqualTo(otherId);
        threads.shutdown();
    }

    @Test
    void aWaiterWhoseCallerHungUpTakesNoJob() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + "/api/v1/workers/claim"))
                .header("Authorization", "Bearer test-key-default").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"worker\": \"gone\", \"kinds\": [\"search\"], \"waitSeconds\": 30}"))
                .build();
        CompletableFuture<HttpResponse<String>> hungUp = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(() -> claims.waiting() == 1);
        hungUp.cancel(true);
        http.close();
        await().atMost(WAIT).until(() -> claims.waiting() == 0);
        String id = enqueue("default");
        ExtractableResponse<Response> claimed = claim("alive", 1, 10);
        assertThat(claimed.statusCode()).as("the job went to the caller still there").isEqualTo(200);
        assertThat(claimed.<String>path("jobs[0].id")).isEqualTo(id);
        assertThat(claimed.<Integer>path("jobs[0].attempt")).as("no attempt burned by the one that left").isEqualTo(1);
    }

    private double passes() {
        return meters.get("harrier.workers.claim.passes").counter().count();
    }

    @Test
    void aClaimWithNothingToTakeAnswers204AfterItsWait() {
        long started = System.nanoTime();
        ExtractableResponse<Response> none = claim("py-1", 1, 1);
        assertThat(none.statusCode()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void progressLogsAndItemsReachTheJobStreamAndCompleteEndsIt() throws Exception {
        String id = enqueue("default");
        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/jobs/" + id + "/events",
                Map.of("Authorization", "Bearer test-key-default"))) {
            assertThat(json(stream.next(WAIT)).get("status").asText()).isEqualTo("pending");
            String token = claimOne("py-1", id);
            assertThat(stream.next(WAIT).name()).isEqualTo("status");

            lease(token).body("{\"step\": \"search\", \"done\": 1, \"total\": 3}").post("/api/v1/jobs/" + id + "/progress")
                    .then().statusCode(204);
            SseClient.Event progress = stream.next(WAIT);
            assertThat(progress.name()).isEqualTo("progress");
            assertThat(json(progress).get("step").asText()).isEqualTo("search");
            assertThat(json(progress).get("done").asLong()).isEqualTo(1);

            lease(token).body("{\"logs\": [{\"level\": \"info\", \"message\": \"page 1\"}, {\"message\": \"page 2\"}]}")
                    .post("/api/v1/jobs/" + id + "/logs").then().statusCode(204);
            lease(token).body("{\"items\": [{\"index\": 0, \"input\": \"https://a.example\", \"status\": \"ok\", \"httpStatus\": 200,"
                    + " \"data\": {\"title\": \"Java dev\"}}, {\"index\": 1, \"input\": {\"u\": 2}, \"status\": \"failed\", \"error\": \"gone\"}]}")
                    .post("/api/v1/jobs/" + id + "/items").then().statusCode(204);
            lease(token).body("{\"items\": [{\"index\": 1, \"status\": \"ok\", \"data\": {\"title\": \"Go dev\"}}]}")
                    .post("/api/v1/jobs/" + id + "/items").then().statusCode(204);
            lease(token).body("{\"step\": \"search\", \"done\": 3, \"total\": 3}").post("/api/v1/jobs/" + id + "/progress")
                    .then().statusCode(204);
            lease(token).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(200)
                    .body("cancelRequested", equalTo(false)).body("leaseExpiresAt", notNullValue());
            String completed = lease(token).body("{\"result\": {\"found\": 2}}").post("/api/v1/jobs/" + id + "/complete")
                    .then().statusCode(200).body("status", equalTo("completed")).body("result.found", equalTo(2))
                    .extract().asString();

            List<SseClient.Event> rest = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":")).toList();
            assertThat(rest.stream().map(SseClient.Event::name)).contains("log", "item", "status");
            SseClient.Event last = rest.get(rest.size() - 1);
            assertThat(json(last).get("status").asText()).isEqualTo("completed");
            assertThat(rest.stream().filter(e -> e.name().equals("progress")).reduce((a, b) -> b).map(this::json)
                    .map(p -> p.get("done").asLong())).as("the last progress before the end").contains(3L);

            // A repeat of the call whose reply was lost gets the same job; another outcome does not.
            assertThat(lease(token).body("{\"result\": {\"found\": 2}}").post("/api/v1/jobs/" + id + "/complete")
                    .then().statusCode(200).extract().<String>path("status")).isEqualTo("completed");
            lease(token).body("{\"message\": \"late\"}").post("/api/v1/jobs/" + id + "/fail").then().statusCode(409);
            lease(token).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409);
            assertThat(mapper.readTree(completed).get("progress").get("done").asLong()).isEqualTo(3);
        }
        api().get("/api/v1/jobs/" + id + "/items").then().statusCode(200).body("items", hasSize(2))
                .body("items[1].status", equalTo("ok")).body("items[1].data.title", equalTo("Go dev"));
        api().get("/api/v1/jobs/" + id + "/logs").then().statusCode(200).body("logs.message", hasItems("page 1", "page 2"));
    }

    @Test
    void aWorkerThatStopsHeartbeatingLosesTheJobAndItsLateCompleteIsRefused() {
        String id = enqueue("default");
        String first = claimOne("py-1", id);
        expireAndRescue(id);
        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("pending")).body("error.type", equalTo("lease_expired"))
                .body("error.message", startsWith("the lease expired: remote worker:py-1"));

        String second = claimOne("py-2", id);
        api().get("/api/v1/jobs/" + id).then().body("attempt", equalTo(2));
        lease(first).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409).body("type", endsWith("lease-lost"));
        lease(first).body("{\"step\": \"late\"}").post("/api/v1/jobs/" + id + "/progress").then().statusCode(409);
        lease(first).body("{\"result\": \"first\"}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(409);
        lease(second).body("{\"result\": \"second\"}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(200)
                .body("result", equalTo("second"));
        lease(first).body("{\"result\": \"first\"}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(409);
        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("completed")).body("result", equalTo("second"));
    }

    @Test
    void cancelReachesTheWorkerThroughTheHeartbeatAndItsFailEndsTheJobCancelled() {
        String id = enqueue("default");
        String token = claimOne("py-1", id);
        api().post("/api/v1/jobs/" + id + "/cancel").then().statusCode(202);
        lease(token).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(200).body("cancelRequested", equalTo(true));
        lease(token).body("{\"message\": \"stopped\"}").post("/api/v1/jobs/" + id + "/fail").then().statusCode(200)
                .body("status", equalTo("cancelled"));
        lease(token).body("{\"message\": \"stopped\"}").post("/api/v1/jobs/" + id + "/fail").then().statusCode(200)
                .body("status", equalTo("cancelled"));
    }

    @Test
    void failIsRetriedWithTheKindsBackoffUnlessNotRetryable() {
        String id = enqueue("default");
        String token = claimOne("py-1", id);
        Instant before = Instant.now();
        lease(token).body("{\"message\": \"rate limited\", \"type\": \"quota\"}").post("/api/v1/jobs/" + id + "/fail").then()
                .statusCode(200).body("status", equalTo("retrying")).body("error.type", equalTo("worker:quota"))
                .body("error.message", equalTo("rate limited")).body("error.attempt", equalTo(1));
        Instant runAt = Instant.parse(api().get("/api/v1/jobs/" + id).then().extract().path("runAt"));
        // The kind's backoff: 1 s after the first attempt, no jitter.
        assertThat(Duration.between(before, runAt)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        lease(token).body("{\"message\": \"rate limited\"}").post("/api/v1/jobs/" + id + "/fail").then().statusCode(200)
                .body("status", equalTo("retrying"));
        lease(token).body("{\"result\": 1}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(409);
        api().get("/api/v1/jobs/" + id + "/logs").then().body("logs[0].message", startsWith("attempt 1 failed: rate limited; retrying at"));

        pool.preparedQuery(Table.JOBS.sql("promote_due")).execute(Tuple.of(100, Instant.now().plusSeconds(60)
                .atOffset(ZoneOffset.UTC))).await().indefinitely();
        String again = claimOne("py-1", id);
        lease(again).body("{\"message\": \"later\", \"retryAfterSeconds\": 600}").post("/api/v1/jobs/" + id + "/fail").then()
                .statusCode(200).body("status", equalTo("retrying"));
        Instant later = Instant.parse(api().get("/api/v1/jobs/" + id).then().extract().path("runAt"));
        assertThat(later).isAfter(Instant.now().plusSeconds(590));

        String other = enqueue("default");
        String token2 = claimOne("py-1", other);
        lease(token2).body("{\"message\": \"bad input\", \"type\": \"invalid\", \"retryable\": false}")
                .post("/api/v1/jobs/" + other + "/fail").then().statusCode(200)
                .body("status", equalTo("failed")).body("error.type", equalTo("worker:invalid"));
    }

    @Test
    void claimsKeepPauseAndQueueConcurrency() {
        String a = enqueue("mail");
        String b = enqueue("mail");
        api().body("{\"paused\": true, \"concurrency\": 1}").patch("/api/v1/queues/mail").then().statusCode(200);
        assertThat(claim("py-1", 10, 0).statusCode()).as("paused").isEqualTo(204);
        api().body("{\"paused\": false}").patch("/api/v1/queues/mail").then().statusCode(200);
        ExtractableResponse<Response> first = claim("py-1", 10, 0);
        assertThat(first.<List<Object>>path("jobs")).as("one at a time in this queue").hasSize(1);
        assertThat(first.<String>path("jobs[0].id")).isEqualTo(a);
        assertThat(claim("py-2", 10, 0).statusCode()).as("the limit is reached").isEqualTo(204);

        CompletableFuture<ExtractableResponse<Response>> waiting = CompletableFuture.supplyAsync(() -> claim("py-2", 10, 20));
        lease(first.path("jobs[0].leaseToken")).body("{}").post("/api/v1/jobs/" + a + "/complete").then().statusCode(200);
        ExtractableResponse<Response> second = waiting.join();
        assertThat(second.statusCode()).as("room freed: the waiting claim takes the next").isEqualTo(200);
        assertThat(second.<String>path("jobs[0].id")).isEqualTo(b);
    }

    @Test
    void childrenAreEnqueuedOnceByKeyUnderTheJob() {
        String id = enqueue("default");
        String token = claimOne("py-1", id);
        String body = """
                {"jobs": [{"kind": "search", "args": {"query": "a"}, "childKey": "page-1"},
                          {"kind": "search", "args": {"query": "b"}, "childKey": "page-2", "queue": "pages"},
                          {"kind": "noop"}]}""";
        ExtractableResponse<Response> first = lease(token).body(body).post("/api/v1/jobs/" + id + "/children").then()
                .log().ifValidationFails().statusCode(201).extract();
        assertThat(first.<List<String>>path("jobs.parentId")).containsOnly(id);
        assertThat(first.<List<Boolean>>path("jobs.duplicate")).containsExactly(false, false, false);
        assertThat(first.<String>path("jobs[1].queue")).isEqualTo("pages");
        // The reply was lost; the worker sends the call again: the keyed children are not made twice.
        ExtractableResponse<Response> again = lease(token).body(body).post("/api/v1/jobs/" + id + "/children").then()
                .statusCode(201).extract();
        assertThat(again.<List<String>>path("jobs[0,1].id")).isEqualTo(first.<List<String>>path("jobs[0,1].id"));
        assertThat(again.<List<Boolean>>path("jobs.duplicate")).containsExactly(true, true, false);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE parent_id = '" + id + "'")).isEqualTo(4);

        lease(token).body("{\"jobs\": [{\"kind\": \"search\", \"args\": {}}]}").post("/api/v1/jobs/" + id + "/children")
                .then().statusCode(400).body("errors[0].field", equalTo("jobs[0].args"));
        // The first entry exists already (by its key): the problem still names the entry's place in the call.
        lease(token).body("{\"jobs\": [{\"kind\": \"search\", \"args\": {\"query\": \"a\"}, \"childKey\": \"page-1\"},"
                + " {\"kind\": \"search\", \"args\": {}}]}").post("/api/v1/jobs/" + id + "/children")
                .then().statusCode(400).body("errors[0].field", equalTo("jobs[1].args"));
        lease(token).body("{\"jobs\": [{\"kind\": \"noop\", \"parentId\": \"" + id + "\"}]}")
                .post("/api/v1/jobs/" + id + "/children").then().statusCode(400);
        lease(token).body("{}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(200);
        lease(token).body(body).post("/api/v1/jobs/" + id + "/children").then().statusCode(409);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE parent_id = '" + id + "'")).isEqualTo(4);
    }

    @Test
    void anAttemptPastItsTimeoutFailsAtTheNextHeartbeat() {
        api().body("{\"timeoutSeconds\": 1, \"maxAttempts\": 1}").put("/api/v1/kinds/quick").then().statusCode(201);
        String id = api().body("{\"kind\": \"quick\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        ExtractableResponse<Response> claimed = api().body("{\"worker\": \"w\", \"kinds\": [\"quick\"]}")
                .post("/api/v1/workers/claim").then().statusCode(200).extract();
        String token = claimed.path("jobs[0].leaseToken");
        TestDatabase.execute("UPDATE harrier.jobs SET started_at = now() - interval '2 seconds' WHERE id = '" + id + "'");
        lease(token).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409);
        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("failed")).body("error.type", equalTo("timeout"));
        lease(token).body("{\"message\": \"x\"}").post("/api/v1/jobs/" + id + "/fail").then().statusCode(409);
    }

    @Test
    void harriersOwnClaimsLeaveRemoteKindsAlone() {
        String remote = enqueue("default");
        String noop = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        List<ClaimedJob> claimed = claimer.claim("default", "default", 10, "instance-a", Duration.ofSeconds(30))
                .await().indefinitely().jobs();
        assertThat(claimed).extracting(job -> job.id().toString()).containsExactly(noop);
        api().get("/api/v1/jobs/" + remote).then().body("status", equalTo("pending"));
    }

    @Test
    void badCallsAreRefusedAndChangeNothing() {
        String id = enqueue("default");
        api().body("{\"worker\": \"w\", \"kinds\": [\"noop\"]}").post("/api/v1/workers/claim").then().statusCode(400)
                .body("errors[0].field", equalTo("kinds[0]"));
        api().body("{\"kinds\": [\"search\"]}").post("/api/v1/workers/claim").then().statusCode(400)
                .body("errors[0].field", equalTo("worker"));
        api().body("{\"worker\": \"w\", \"kinds\": [\"search\"], \"max\": 1001}").post("/api/v1/workers/claim").then().statusCode(400);
        api().body("{\"worker\": \"w\", \"kinds\": [\"search\"], \"waitSeconds\": 61}").post("/api/v1/workers/claim").then()
                .statusCode(400).body("errors[0].field", equalTo("waitSeconds"));
        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("pending"));

        String token = claimOne("w", id);
        api().post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(400).body("errors[0].field", equalTo("Harrier-Lease"));
        lease("0".repeat(32)).post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409);
        lease("not-a-token").post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409);
        lease(token).body("{\"logs\": [{\"level\": \"loud\", \"message\": \"x\"}]}").post("/api/v1/jobs/" + id + "/logs").then()
                .statusCode(400).body("errors[0].field", equalTo("logs[0].level"));
        lease(token).body("{\"items\": [{\"index\": -1, \"status\": \"ok\"}]}").post("/api/v1/jobs/" + id + "/items").then()
                .statusCode(400).body("errors[0].field", equalTo("items[0].index"));
        StringBuilder many = new StringBuilder("{\"logs\": [");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"message\": \"m\"}");
        }
        lease(token).body(many.append("]}").toString()).post("/api/v1/jobs/" + id + "/logs").then().statusCode(400)
                .body("errors[0].field", equalTo("logs"));
        // Another workspace's key with the right token: not its job.
        given().header("Authorization", "Bearer test-key-other").header("Harrier-Lease", token).contentType(ContentType.JSON)
                .post("/api/v1/jobs/" + id + "/heartbeat").then().statusCode(409);
        given().header("Authorization", "Bearer test-key-other").header("Harrier-Lease", token).contentType(ContentType.JSON)
                .body("{\"result\": \"stolen\"}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(409);
        api().get("/api/v1/jobs/" + id).then().body("status", equalTo("running"));
        lease(token).body("{\"result\": true}").post("/api/v1/jobs/" + id + "/complete").then().statusCode(200);
    }

    @Test
    void aCompleteAndAFailRacingWithOneTokenEndTheAttemptOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        for (int round = 0; round < 5; round++) {
            String id = enqueue("default");
            String token = claimOne("py-1", id);
            CompletableFuture<Integer> complete = CompletableFuture.supplyAsync(() -> lease(token).body("{\"result\": 1}")
                    .post("/api/v1/jobs/" + id + "/complete").then().extract().statusCode(), threads);
            CompletableFuture<Integer> fail = CompletableFuture.supplyAsync(() -> lease(token).body("{\"message\": \"x\"}")
                    .post("/api/v1/jobs/" + id + "/fail").then().extract().statusCode(), threads);
            String status = api().get("/api/v1/jobs/" + id).then().extract().path("status");
            List<Integer> codes = List.of(complete.get(), fail.get());
            String after = api().get("/api/v1/jobs/" + id).then().extract().path("status");
            assertThat(codes).as("round %d (%s)", round, after).containsExactlyInAnyOrder(200, 409);
            assertThat(codes.get(0) == 200 ? "completed" : "retrying").isEqualTo(after);
            assertThat(status).isIn("running", "completed", "retrying");
            TestDatabase.execute("DELETE FROM harrier.job_events; DELETE FROM harrier.jobs");
        }
        threads.shutdown();
    }

    private JsonNode json(SseClient.Event event) {
        try {
            return mapper.readTree(event.data());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
