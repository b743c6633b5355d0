package dev.harrier.pipeline;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.http.RequestSigner;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.CountingHandler;
import dev.harrier.time.Backoff;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code then} chains and callbacks: enqueued once per completion or terminal status, signed per workspace. */
@QuarkusTest
class LinksTest {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @Inject
    EngineHarness harness;

    @Inject
    ObjectMapper mapper;

    @Inject
    JobSubmitter submitter;

    @Inject
    Pool pool;

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

    private JsonPath list(String query) {
        return api().get("/api/v1/jobs?" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aChainOfThreeLinksRunsOnceEachWithTheResultAndTheIdFilledIn() {
        harness.start("a");
        harness.start("b");
        String chain = "c-" + UUID.randomUUID();
        String first = enqueue("""
                {"kind": "test-count", "args": {"n": 1}, "tags": ["%1$s"],
                 "then": {"kind": "test-count", "args": {"n": "{{result}}"}, "tags": ["%1$s", "after:{{job.id}}"],
                   "then": {"kind": "test-count", "args": {"n": 3}, "tags": ["%1$s", "after:{{job.id}}"],
                     "then": {"kind": "test-count", "args": {"n": 4}, "tags": ["%1$s", "last"]}}}}""".formatted(chain));
        api().get("/api/v1/jobs/" + first).then().body("then.kind", equalTo("test-count"))
                .body("then.args.n", equalTo("{{result}}"));
        Awaitility.await().atMost(WAIT).until(() -> list("tag=" + chain + "&tag=last&status=completed").getList("jobs").size() == 1);
        JsonPath all = list("tag=" + chain + "&limit=50");
        assertThat(all.getList("jobs")).hasSize(4);
        String second = list("tag=after:" + first).getString("jobs[0].id");
        assertThat(list("tag=after:" + first).getInt("jobs[0].args.n")).isEqualTo(1);
        assertThat(list("tag=after:" + first).getString("jobs[0].parentId")).isNull();
        assertThat(list("tag=after:" + second).getList("jobs")).hasSize(1);
        for (Object id : all.getList("jobs.id")) {
            assertThat(CountingHandler.RUNS.get(UUID.fromString((String) id)).get()).isEqualTo(1);
        }
    }

    @Test
    void aJavaCallerSubmitsAPipelineInItsOwnTransaction() {
        String tag = "java-" + UUID.randomUUID();
        JobRequest request = new JobRequest("test-count", null, harness.json("{\"n\": 5}"), null, null, null, null, null,
                List.of(tag), null, null, harness.json("{\"kind\": \"test-count\", \"args\": {\"n\": \"{{result}}\"}, "
                        + "\"tags\": [\"" + tag + "\", \"link\"]}"), null, null);
        // Rolled back: neither the job nor its link exists.
        pool.withTransaction(tx -> submitter.submit(tx, "default", List.of(request))
                        .flatMap(results -> Uni.createFrom().failure(new IllegalStateException("rolled back"))))
                .onFailure().recoverWithNull().await().atMost(WAIT);
        assertThat(list("tag=" + tag).getList("jobs")).isEmpty();
        pool.withTransaction(tx -> submitter.submit(tx, "default", List.of(request))).await().atMost(WAIT);
        harness.start("a");
        Awaitility.await().atMost(WAIT).until(() -> list("tag=" + tag + "&tag=link&status=completed").getList("jobs").size() == 1);
        assertThat(list("tag=" + tag + "&tag=link").getInt("jobs[0].result")).isEqualTo(5);
        assertThat(list("tag=" + tag).getList("jobs")).hasSize(2);
    }

    @Test
    void aLinkIsNotEnqueuedWhenTheJobFailsOrIsCancelledAndAnUnfillableOneIsCreatedFailed() {
        harness.start("a");
        String tag = "t-" + UUID.randomUUID();
        String failed = enqueue("{\"kind\": \"test-fail\", \"maxAttempts\": 1, \"args\": {}, "
                + "\"then\": {\"kind\": \"noop\", \"tags\": [\"" + tag + "\"]}}");
        String cancelled = enqueue("{\"kind\": \"noop\", \"runAt\": \"2099-01-01T00:00:00Z\", "
                + "\"then\": {\"kind\": \"noop\", \"tags\": [\"" + tag + "\"]}}");
        api().post("/api/v1/jobs/" + cancelled + "/cancel").then().statusCode(200);
        harness.awaitStatus(UUID.fromString(failed), JobStatus.FAILED, WAIT);
        String unfillable = enqueue("{\"kind\": \"noop\", \"then\": {\"kind\": \"noop\", \"args\": {\"sleepMs\": \"{{result.missing}}\"}, "
                + "\"tags\": [\"" + tag + "\", \"bad\"]}}");
        harness.awaitStatus(UUID.fromString(unfillable), JobStatus.COMPLETED, WAIT);
        Awaitility.await().atMost(WAIT).until(() -> list("tag=" + tag).getList("jobs").size() == 1);
        JsonPath bad = list("tag=" + tag);
        assertThat(bad.getString("jobs[0].status")).isEqualTo("failed");
        assertThat(bad.getString("jobs[0].error.type")).isEqualTo("invalid_template");
        assertThat(bad.getString("jobs[0].error.message")).contains("{{result.missing}}");
    }

    @Test
    void aCallbackReachesTheAppOncePerTerminalStatusSignedAsACallbackOfTheWorkspace() throws Exception {
        try (StubServer app = new StubServer()) {
            AtomicInteger calls = new AtomicInteger();
            app.on("/hook", r -> r.response().setStatusCode(calls.incrementAndGet() <= 2 ? 503 : 200).end("ok"));
            harness.start("a", b -> b.maintenance(true).backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0)));
            String job = enqueue("{\"kind\": \"noop\", \"callback\": {\"url\": \"" + app.url("/hook")
                    + "\", \"headers\": {\"X-App\": \"1\"}}}");
            String quiet = enqueue("{\"kind\": \"noop\", \"callback\": {\"url\": \"" + app.url("/hook") + "\", \"on\": [\"failed\"]}}");
            harness.awaitStatus(UUID.fromString(quiet), JobStatus.COMPLETED, WAIT);
            Awaitility.await().atMost(WAIT).until(() -> list("tag=callback:" + job + "&status=completed").getList("jobs").size() == 1);
            JsonPath delivery = list("tag=callback:" + job);
            assertThat(delivery.getList("jobs")).hasSize(1);
            assertThat(delivery.getString("jobs[0].kind")).isEqualTo("http");
            assertThat(delivery.getString("jobs[0].queue")).isEqualTo("callbacks");
            assertThat(delivery.getInt("jobs[0].attempt")).isEqualTo(3);
            assertThat(app.count("/hook")).isEqualTo(3);
            assertThat(list("tag=callback:" + quiet).getList("jobs")).isEmpty();

            StubServer.Received last = app.received().get(app.received().size() - 1);
            JsonNode body = mapper.readTree(last.body());
            assertThat(body.get("event").asText()).isEqualTo("job.completed");
            assertThat(body.get("job").get("id").asText()).isEqualTo(job);
            assertThat(body.get("job").get("status").asText()).isEqualTo("completed");
            assertThat(last.headers()).containsEntry("x-app", "1");
            JsonPath secrets = api().get("/api/v1/signing-secret").then().statusCode(200).extract().jsonPath();
            String secret = secrets.getString("secret");
            String previous = secrets.getString("previous");
            String signature = last.headers().get("harrier-signature");
            long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
            assertThat(signature).isEqualTo("t=" + t + ",v1=" + HexFormat.of().formatHex(
                    RequestSigner.hmac(secret, "callback", t, last.body().getBytes()))
                    + (previous == null ? "" : ",v1=" + HexFormat.of().formatHex(
                    RequestSigner.hmac(previous, "callback", t, last.body().getBytes()))));
            // Signed as a callback, it would not pass for an http job's signature.
            assertThat(signature).doesNotContain(HexFormat.of().formatHex(RequestSigner.hmac(secret, "http", t, last.body().getBytes())));
        }
    }

    @Test
    void theSigningSecretIsTheWorkspacesOwnAndARotationKeepsThePreviousSigningAlongside() throws Exception {
        String first = api().get("/api/v1/signing-secret").then().statusCode(200)
                .body("previous", equalTo(null)).extract().path("secret");
        String other = given().header("Authorization", "Bearer test-key-other")
                .get("/api/v1/signing-secret").then().statusCode(200).extract().path("secret");
        assertThat(other).isNotEqualTo(first);
        given().get("/api/v1/signing-secret").then().statusCode(401);
        JsonPath rotated = api().post("/api/v1/signing-secret/rotate").then().statusCode(200).extract().jsonPath();
        assertThat(rotated.getString("previous")).isEqualTo(first);
        assertThat(rotated.getString("secret")).isNotEqualTo(first).startsWith("whsec_");
        assertThat(rotated.getString("rotatedAt")).isNotNull();
        try (StubServer app = new StubServer()) {
            app.on("/in", r -> r.response().end("ok"));
            harness.start("a");
            String id = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"" + app.url("/in") + "\", \"body\": {\"a\": 1}}}");
            harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
            StubServer.Received got = app.received().get(0);
            String signature = got.headers().get("harrier-signature");
            long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
            assertThat(signature).isEqualTo("t=" + t
                    + ",v1=" + HexFormat.of().formatHex(RequestSigner.hmac(rotated.getString("secret"), "http", t, got.body().getBytes()))
                    + ",v1=" + HexFormat.of().formatHex(RequestSigner.hmac(first, "http", t, got.body().getBytes())));
        }
    }

    @Test
    void pipelineFieldsAreCheckedAtEnqueue() {
        api().body("{\"kind\": \"noop\", \"childFailure\": \"maybe\", \"then\": {\"args\": {}}, "
                        + "\"callback\": {\"url\": \"ftp://x\", \"on\": [\"done\"], \"extra\": 1}}")
                .post("/api/v1/jobs").then().statusCode(400)
                .body("errors.field", hasItems("childFailure", "then.kind", "callback.url", "callback.on[0]",
                        "callback.extra"));
        StringBuilder deep = new StringBuilder("{\"kind\": \"noop\"");
        for (int i = 0; i < 11; i++) {
            deep.append(", \"then\": {\"kind\": \"noop\"");
        }
        deep.append("}".repeat(12));
        api().body(deep.toString()).post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].message", equalTo("a then chain is at most 10 links deep"));
        api().get("/api/v1/jobs").then().body("jobs", hasSize(0));
    }
}
