package dev.harrier.pipeline;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import dev.harrier.handler.ChildJob;
import dev.harrier.handler.ChildJobResult;
import dev.harrier.queue.ChildJobs;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.OverlapHandler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code each} kind: one child per item, templates, its window of concurrency, its sources. */
@QuarkusTest
class EachTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EngineHarness harness;

    @Inject
    ChildJobs childJobs;

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

    private JsonPath job(String id) {
        return api().get("/api/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyItemBecomesAChildAndNoMoreThanTheConcurrencyRunAtOnce() {
        harness.start("a");
        String group = "g-" + UUID.randomUUID();
        String items = IntStream.range(0, 30).mapToObj(i -> "{\"n\": " + i + "}").collect(Collectors.joining(", "));
        String parent = enqueue("{\"kind\": \"each\", \"args\": {\"items\": [" + items + "], \"concurrency\": 3, "
                + "\"job\": {\"kind\": \"test-overlap\", \"args\": {\"group\": \"" + group + "\", \"n\": \"{{item.n}}\", \"sleepMs\": 30}}}}");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, WAIT);
        JsonPath done = job(parent);
        assertThat(done.getInt("result.total")).isEqualTo(30);
        assertThat(done.getInt("result.enqueued")).isEqualTo(30);
        assertThat(done.getInt("result.skipped")).isZero();
        assertThat(done.getInt("children.completed")).isEqualTo(30);
        assertThat(done.getString("progress.step")).isEqualTo("children");
        assertThat(done.getInt("progress.done")).isEqualTo(30);
        assertThat(OverlapHandler.seen(group)).hasSize(30);
        assertThat(OverlapHandler.most(group)).isBetween(1, 3);
    }

    @Test
    void aThousandItemsOnTwoInstancesEndWithExactCountsAndNeverMoreThanTenRunning() {
        harness.start("a");
        harness.start("b");
        String group = "k-" + UUID.randomUUID();
        String parent = enqueue("{\"kind\": \"each\", \"args\": {\"items\": ["
                + IntStream.range(0, 1000).mapToObj(Integer::toString).collect(Collectors.joining(", "))
                + "], \"job\": {\"kind\": \"test-overlap\", \"args\": {\"group\": \"" + group
                + "\", \"n\": \"{{item}}\", \"sleepMs\": 3}}}}");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, Duration.ofSeconds(120));
        JsonPath done = job(parent);
        assertThat(done.getInt("result.enqueued")).isEqualTo(1000);
        assertThat(done.getInt("children.total")).isEqualTo(1000);
        assertThat(done.getInt("children.completed")).isEqualTo(1000);
        assertThat(done.getInt("children.pending") + done.getInt("children.running") + done.getInt("children.failed")).isZero();
        assertThat(OverlapHandler.seen(group)).hasSize(1000);
        assertThat(OverlapHandler.most(group)).isBetween(2, 10);
    }

    @Test
    void templatesFillTypedValuesAndSubstitutedTextIsNeverScannedAgain() {
        // A placeholder must name a secret of the workspace to be enqueued at all.
        api().body("{\"value\": \"app-token-for-each\"}").put("/api/v1/secrets/APP_TOKEN").then().statusCode(204);
        harness.start("a");
        String parent = enqueue("""
                {"kind": "each", "args": {"items": [
                    {"id": "u1", "n": 7, "tags": ["x", "y"], "q": "{{secret:APP_TOKEN}}", "r": "{{item.id}}"},
                    {"id": "u2"}],
                 "job": {"kind": "noop", "queue": "each-q", "uniqueKey": "user:{{item.id}}:{{index}}", "tags": ["user:{{item.id}}"],
                         "backoff": {"baseSeconds": "{{item.n}}", "factor": 3, "maxSeconds": 480, "jitter": 0},
                         "args": {"sleepMs": "{{item.n}}"}}}}""");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, WAIT);
        JsonPath children = api().get("/api/v1/jobs?parent=" + parent).then().extract().jsonPath();
        assertThat(children.getList("jobs")).hasSize(2);
        String first = "jobs.find { it.status == 'completed' }.";
        assertThat(children.getInt(first + "args.sleepMs")).isEqualTo(7);
        assertThat(children.getString(first + "uniqueKey")).isEqualTo("user:u1:0");
        assertThat(children.getList(first + "tags")).containsExactly("user:u1");
        assertThat(children.getString(first + "parentId")).isEqualTo(parent);
        assertThat(children.getInt(first + "backoff.baseSeconds")).as("a child's own backoff, as an enqueue body's").isEqualTo(7);
        assertThat(children.getDouble(first + "backoff.factor")).isEqualTo(3.0);
        String missing = "jobs.find { it.status == 'failed' }.";
        assertThat(children.getString(missing + "error.type")).isEqualTo("invalid_template");
        assertThat(children.getString(missing + "error.message")).contains("item 1").contains("{{item.n}}");
        assertThat(job(parent).getInt("children.failed")).isEqualTo(1);
        assertThat(job(parent).getString("status")).isEqualTo("completed");

        // An item's text that looks like a placeholder stays text (a remote kind takes any args; no worker runs it).
        api().body("{}").put("/api/v1/kinds/pipe-echo").then().statusCode(201);
        String echo = enqueue("""
                {"kind": "each", "args": {"items": [{"q": "{{secret:APP_TOKEN}}", "r": "{{item.q}}", "s": "a{{index}}b"}],
                 "job": {"kind": "pipe-echo", "args": {"q": "{{item.q}}", "r": "<{{item.r}}>", "s": "{{item.s}}"}}}}""");
        harness.awaitStatus(UUID.fromString(echo), JobStatus.WAITING, WAIT);
        JsonPath child = api().get("/api/v1/jobs?parent=" + echo).then().extract().jsonPath();
        assertThat(child.getString("jobs[0].args.q")).isEqualTo("{{secret:APP_TOKEN}}");
        assertThat(child.getString("jobs[0].args.r")).isEqualTo("<{{item.q}}>");
        assertThat(child.getString("jobs[0].args.s")).isEqualTo("a{{index}}b");
    }

    @Test
    void anItemWhoseChildIsInvalidOnceFilledFailsAloneAndLiveUniqueKeysAreSkipped() {
        harness.start("a");
        String holder = enqueue("{\"kind\": \"noop\", \"uniqueKey\": \"search:u1\", \"runAt\": \"2099-01-01T00:00:00Z\"}");
        String parent = enqueue("""
                {"kind": "each", "args": {"items": [{"id": "u1", "ms": 1}, {"id": "u2", "ms": -5}, {"id": "u3", "ms": 2}],
                 "job": {"kind": "noop", "uniqueKey": "search:{{item.id}}", "args": {"sleepMs": "{{item.ms}}"}}}}""");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, WAIT);
        JsonPath done = job(parent);
        assertThat(done.getInt("result.total")).isEqualTo(3);
        assertThat(done.getInt("result.skipped")).isEqualTo(1);
        assertThat(done.getInt("result.enqueued")).isEqualTo(2);
        assertThat(done.getInt("children.total")).isEqualTo(2);
        assertThat(done.getInt("children.failed")).isEqualTo(1);
        assertThat(done.getInt("children.completed")).isEqualTo(1);
        api().get("/api/v1/jobs?parent=" + parent + "&status=failed").then()
                .body("jobs", hasSize(1))
                .body("jobs[0].error.type", equalTo("invalid_template"))
                .body("jobs[0].error.message", startsWith("job.args.sleepMs"));
        assertThat(job(holder).getString("parentId")).isNull();
    }

    @Test
    void itemsComeFromTheAppAtAPointer() throws Exception {
        try (StubServer app = new StubServer()) {
            app.on("/searches", r -> r.response().putHeader("Content-Type", "application/json")
                    .end("{\"meta\": {\"n\": 2}, \"users\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"c\"}]}"));
            app.on("/down", r -> r.response().setStatusCode(404).end("no"));
            harness.start("a");
            String parent = enqueue("{\"kind\": \"each\", \"args\": {\"itemsFrom\": {\"url\": \"" + app.url("/searches")
                    + "\", \"pointer\": \"/users\", \"headers\": {\"Authorization\": \"Bearer t\"}}, "
                    + "\"job\": {\"kind\": \"noop\", \"tags\": [\"user:{{item.id}}\"]}}}");
            harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, WAIT);
            assertThat(job(parent).getInt("result.total")).isEqualTo(3);
            api().get("/api/v1/jobs?tag=user:b").then().body("jobs", hasSize(1)).body("jobs[0].parentId", equalTo(parent));
            assertThat(app.received().get(0).headers().get("authorization")).isEqualTo("Bearer t");

            String notArray = enqueue("{\"kind\": \"each\", \"args\": {\"itemsFrom\": {\"url\": \"" + app.url("/searches")
                    + "\", \"pointer\": \"/meta\"}, \"job\": {\"kind\": \"noop\"}}}");
            harness.awaitStatus(UUID.fromString(notArray), JobStatus.FAILED, WAIT);
            assertThat(job(notArray).getString("error.message")).contains("no array at /meta");
            String gone = enqueue("{\"kind\": \"each\", \"args\": {\"itemsFrom\": {\"url\": \"" + app.url("/down")
                    + "\"}, \"job\": {\"kind\": \"noop\"}}}");
            harness.awaitStatus(UUID.fromString(gone), JobStatus.FAILED, WAIT);
        }
    }

    @Test
    void badArgumentsAreRefusedAtEnqueue() {
        api().body("{\"kind\": \"each\", \"args\": {\"job\": {\"kind\": \"noop\"}}}").post("/api/v1/jobs").then()
                .statusCode(400).body("errors[0].field", equalTo("args.items"));
        api().body("{\"kind\": \"each\", \"args\": {\"items\": [1], \"job\": {\"kind\": \"noop\", \"parentId\": \"x\"}, \"concurrency\": 0}}")
                .post("/api/v1/jobs").then()
                .statusCode(400).body("errors.field", hasItems("args.job.parentId", "args.concurrency"));
    }

    @Test
    void childrenOfOneKeyAreMadeOnceWhateverTheAttempt() {
        harness.start("a");
        String parent = enqueue("{\"kind\": \"test-hold\", \"args\": {\"key\": \"keys-" + UUID.randomUUID() + "\", \"holdAttempts\": 1}}");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.RUNNING, WAIT);
        List<ChildJob> children = List.of(ChildJob.of(harness.json("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\"}"), "item:0"),
                ChildJob.of(harness.json("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\"}"), "item:1"));
        List<ChildJobResult> first = childJobs.enqueue("default", UUID.fromString(parent), children, null).await().atMost(WAIT);
        List<ChildJobResult> again = childJobs.enqueue("default", UUID.fromString(parent), children, null).await().atMost(WAIT);
        assertThat(first).extracting(ChildJobResult::existed).containsExactly(false, false);
        assertThat(again).extracting(ChildJobResult::existed).containsExactly(true, true);
        assertThat(again).extracting(ChildJobResult::id).isEqualTo(first.stream().map(ChildJobResult::id).toList());
        assertThat(job(parent).getInt("children.total")).isEqualTo(2);
        api().post("/api/v1/jobs/" + parent + "/cancel").then().statusCode(202);
    }
}
