package dev.harrier.api;

import static dev.harrier.api.ApiJobsTest.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import dev.harrier.testing.Management;
import dev.harrier.testing.TestClock;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Base64;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bad-input corpus: every entry gets its 4xx problem document, and the database is the same
 * afterwards (no job, no queue, no event written).
 */
@QuarkusTest
class ApiBadInputTest {

    private String existingJob;

    @Inject
    TestClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        existingJob = api().body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private static String snapshot() {
        return TestDatabase.queryText("""
                SELECT (SELECT count(*) FROM harrier.jobs) || '/' || (SELECT count(*) FROM harrier.queues) || '/'
                    || (SELECT count(*) FROM harrier.job_events) || '/' || (SELECT coalesce(max(updated_at)::text, '') FROM harrier.jobs)""");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "malformed JSON | `{\"kind\": ` | ",
            "not an object | `[1, 2]` | ",
            "kind missing | `{\"args\": {}}` | kind",
            "unknown kind | `{\"kind\": \"nope\"}` | kind",
            "kind of the wrong type | `{\"kind\": 42}` | kind",
            "unknown field | `{\"kind\": \"noop\", \"colour\": \"red\"}` | colour",
            "noop args of the wrong type | `{\"kind\": \"noop\", \"args\": {\"sleepMs\": \"soon\"}}` | args.sleepMs",
            "noop args out of range | `{\"kind\": \"noop\", \"args\": {\"sleepMs\": -5}}` | args.sleepMs",
            "noop unknown argument | `{\"kind\": \"noop\", \"args\": {\"sleep\": 5}}` | args.sleep",
            "args not an object | `{\"kind\": \"noop\", \"args\": 7}` | args",
            "priority above 9 | `{\"kind\": \"noop\", \"priority\": 10}` | priority",
            "priority below 0 | `{\"kind\": \"noop\", \"priority\": -1}` | priority",
            "priority not a number | `{\"kind\": \"noop\", \"priority\": \"high\"}` | priority",
            "maxAttempts 0 | `{\"kind\": \"noop\", \"maxAttempts\": 0}` | maxAttempts",
            "maxAttempts too many | `{\"kind\": \"noop\", \"maxAttempts\": 1000}` | maxAttempts",
            "timeout 0 | `{\"kind\": \"noop\", \"timeoutSeconds\": 0}` | timeoutSeconds",
            "timeout too long | `{\"kind\": \"noop\", \"timeoutSeconds\": 999999}` | timeoutSeconds",
            "runAt not a time | `{\"kind\": \"noop\", \"runAt\": \"tomorrow\"}` | runAt",
            "tags not strings | `{\"kind\": \"noop\", \"tags\": [{}]}` | tags[0]",
            "empty unique key | `{\"kind\": \"noop\", \"uniqueKey\": \"\"}` | uniqueKey",
            "bad queue name | `{\"kind\": \"noop\", \"queue\": \"no spaces\"}` | queue",
            "parent not an id | `{\"kind\": \"noop\", \"parentId\": \"x\"}` | parentId",
            "unknown parent | `{\"kind\": \"noop\", \"parentId\": \"00000000-0000-7000-8000-000000000000\"}` | parentId",
            // Values the service used to change silently instead of refusing.
            "runAt a huge number | `{\"kind\": \"noop\", \"runAt\": 1e400}` | runAt",
            "runAt epoch seconds | `{\"kind\": \"noop\", \"runAt\": 1700000000}` | runAt",
            "runAt past year 9999 | `{\"kind\": \"noop\", \"runAt\": \"+300000-01-01T00:00:00Z\"}` | runAt",
            "runAt without an offset | `{\"kind\": \"noop\", \"runAt\": \"2026-11-22T08:00:00\"}` | runAt",
            "priority a fraction | `{\"kind\": \"noop\", \"priority\": 1.7}` | priority",
            "priority a numeric string | `{\"kind\": \"noop\", \"priority\": \"3\"}` | priority",
            "kind a number | `{\"kind\": 5}` | kind",
            "a second JSON document | `{\"kind\": \"noop\"} {\"kind\": \"noop\"}` | ",
            "args a numeric string for a number | `{\"kind\": \"noop\", \"args\": {\"sleepMs\": \"5\"}}` | args.sleepMs",
            // What PostgreSQL would refuse (a 503 before) or store as something else.
            "a NUL in a tag | `{\"kind\": \"noop\", \"tags\": [\"a\\u0000b\"]}` | tags[0]",
            "a NUL in the unique key | `{\"kind\": \"noop\", \"uniqueKey\": \"k\\u0000\"}` | uniqueKey",
            "a NUL in args | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"body\": {\"note\": \"a\\u0000b\"}}}` | args.body.note",
            "a NUL in an args key | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"body\": {\"a\\u0000\": 1}}}` | args.body",
            "an unpaired surrogate in args | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"body\": {\"t\": \"x\\ud800\"}}}` | args.body.t",
            "an unpaired surrogate in a tag | `{\"kind\": \"noop\", \"tags\": [\"\\udc00\"]}` | tags[0]",
            "a number of 5000 digits | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"body\": [1e5000]}}` | args.body[0]",
            // Headers a request could never carry: refused before they fail every attempt.
            "an http header value with CRLF | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"headers\": {\"X-A\": \"a\\r\\nX-Injected: 1\"}}}` | args.headers.X-A",
            "an http header folded onto a new line | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"headers\": {\"X-A\": \"a\\r\\n b\"}}}` | args.headers.X-A",
            "an http header name with a space | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"headers\": {\"X A\": \"1\"}}}` | args.headers",
            "an http header name with a colon | `{\"kind\": \"http\", \"args\": {\"url\": \"http://example.com\", \"headers\": {\"X-A:\": \"1\"}}}` | args.headers",
            "a scrape header with LF | `{\"kind\": \"scrape\", \"args\": {\"urls\": [\"http://example.com\"], \"headers\": {\"X-A\": \"a\\nb\"}}}` | args.headers.X-A",
            "an enrich header with CR | `{\"kind\": \"enrich\", \"args\": {\"records\": [{\"a\": 1}], \"endpoint\": {\"url\": \"http://example.com\", \"headers\": {\"X-A\": \"a\\rb\"}}}}` | args.endpoint.headers.X-A",
    })
    void aBadEnqueueIs400AndChangesNothing(String name, String body, String field) {
        String before = snapshot();

        var response = api().body(body).post("/api/v1/jobs").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("type", notNullValue())
                .body("title", notNullValue())
                .body("detail", notNullValue());
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aBatchOf10001IsRefusedAndABadEntryIsNamedByIndex() {
        String before = snapshot();
        StringBuilder big = new StringBuilder("{\"jobs\": [");
        for (int i = 0; i < 10_001; i++) {
            big.append(i == 0 ? "" : ",").append("{\"kind\": \"noop\"}");
        }
        api().body(big.append("]}").toString()).post("/api/v1/jobs/batch").then().statusCode(400)
                .body("errors[0].field", equalTo("jobs"));
        api().body("{\"jobs\": [{\"kind\": \"noop\"}, {\"kind\": \"noop\", \"priority\": 12}]}").post("/api/v1/jobs/batch")
                .then().statusCode(400).body("errors[0].field", equalTo("jobs[1].priority"));
        api().body("{\"jobs\": [{\"kind\": \"noop\"}, {\"kind\": \"noop\", \"priority\": \"x\"}]}").post("/api/v1/jobs/batch")
                .then().statusCode(400).body("errors[0].field", equalTo("jobs[1].priority"));
        api().body("{}").post("/api/v1/jobs/batch").then().statusCode(400).body("errors[0].field", equalTo("jobs"));
        StringBuilder nul = new StringBuilder("{\"jobs\": [");
        for (int i = 0; i < 10; i++) {
            nul.append(i == 0 ? "" : ",").append(i == 7 ? "{\"kind\": \"noop\", \"tags\": [\"x\\u0000\"]}" : "{\"kind\": \"noop\"}");
        }
        api().body(nul.append("]}").toString()).post("/api/v1/jobs/batch").then().statusCode(400)
                .body("errors[0].field", equalTo("jobs[7].tags[0]"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void problemsSayWhatToSendInWordsNotJavaNames() {
        String before = snapshot();
        api().body("").post("/api/v1/jobs").then().statusCode(400)
                .body("detail", Matchers.containsString("missing"))
                .body("detail", Matchers.containsString("application/json"))
                .body("errors[0].field", equalTo(""));
        String array = api().body("[]").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo(""))
                .body("errors[0].message", equalTo("must be a JSON object"))
                .extract().asString();
        assertThat(array).doesNotContain("dev.harrier").doesNotContain("Bodies");
        api().body("{\"kind\": \"noop\", \"runAt\": \"2026-11-22T08:00:00\"}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].message", Matchers.startsWith("must be an ISO-8601 instant with an offset"));
        api().body("{\"kind\": \"noop\", \"priority\": \"3\"}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].message", equalTo("must be a whole number"));
        given().header("Authorization", "Bearer test-key-default").body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then()
                .statusCode(415)
                .body("detail", Matchers.containsString("Content-Type: application/json"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String before = snapshot();
        String padding = "x".repeat(1024 * 1024);
        api().body("{\"kind\": \"noop\", \"uniqueKey\": \"" + padding + "\"}").post("/api/v1/jobs").then()
                .statusCode(413).contentType("application/problem+json").body("status", equalTo(413));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void badCursorsLimitsStatusesAndIdsAreRefused() {
        api().get("/api/v1/jobs?cursor=not-a-cursor!").then().statusCode(400).body("errors[0].field", equalTo("cursor"));
        api().get("/api/v1/jobs?cursor=" + Base64.getUrlEncoder().encodeToString("nonsense".getBytes())).then()
                .statusCode(400).body("errors[0].field", equalTo("cursor"));
        api().get("/api/v1/jobs?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().get("/api/v1/jobs?limit=501").then().statusCode(400);
        api().get("/api/v1/jobs?limit=abc").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().get("/api/v1/jobs/" + existingJob + "/items?limit=many").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().urlEncodingEnabled(false).get("/api/v1/jobs?tag=a%00b").then().statusCode(400).body("errors[0].field", equalTo("tag"));
        api().urlEncodingEnabled(false).get("/api/v1/jobs?kind=%00").then().statusCode(400).body("errors[0].field", equalTo("kind"));
        api().get("/api/v1/jobs?status=done").then().statusCode(400).body("errors[0].field", equalTo("status"));
        api().get("/api/v1/jobs/" + existingJob + "/logs?cursor=%%%").then().statusCode(400);
        api().get("/api/v1/jobs/" + existingJob + "/items?status=maybe").then().statusCode(400);
        api().get("/api/v1/jobs/12345").then().statusCode(404).contentType("application/problem+json");
        api().header("Last-Event-ID", "yesterday").get("/api/v1/jobs/" + existingJob + "/events").then()
                .statusCode(400).body("errors[0].field", equalTo("Last-Event-ID"));
        api().get("/api/v1/jobs/" + existingJob + "/events?lastEventId=-3").then().statusCode(400);
    }

    @Test
    void badQueuePatchesAndTokenRequestsAreRefused() {
        String before = snapshot();
        api().body("{\"paused\": \"yes\"}").patch("/api/v1/queues/default").then().statusCode(400).body("errors[0].field", equalTo("paused"));
        api().body("{\"concurrency\": 0}").patch("/api/v1/queues/default").then().statusCode(400).body("errors[0].field", equalTo("concurrency"));
        api().body("{\"speed\": 1}").patch("/api/v1/queues/default").then().statusCode(400).body("errors[0].field", equalTo("speed"));
        api().body("{\"paused\": true}").patch("/api/v1/queues/bad name").then().statusCode(400);
        api().body("{\"ttlSeconds\": 0}").post("/api/v1/jobs/" + existingJob + "/tokens").then().statusCode(400)
                .body("errors[0].field", equalTo("ttlSeconds"));
        api().body("{\"ttlSeconds\": 99999999}").post("/api/v1/jobs/" + existingJob + "/tokens").then().statusCode(400);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void missingWrongAndExpiredCredentialsAre401() throws Exception {
        given().get("/api/v1/jobs").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer wrong").get("/api/v1/jobs").then().statusCode(401);
        given().header("Authorization", "Basic dGVzdA==").get("/api/v1/jobs").then().statusCode(401);
        given().get("/api/v1/jobs/" + existingJob + "?access_token=not.a.token").then().statusCode(401);
        // An API key in a URL would leak into logs: only read tokens are accepted there.
        given().get("/api/v1/jobs/" + existingJob + "?access_token=test-key-default").then().statusCode(401);
        String token = api().body("{\"ttlSeconds\": 60}").post("/api/v1/jobs/" + existingJob + "/tokens").then()
                .statusCode(201).extract().path("token");
        given().get("/api/v1/jobs/" + existingJob + "?access_token=" + token).then().statusCode(200);
        clock.advance(Duration.ofSeconds(59));
        // It lives at least its ttl (its expiry, in whole seconds, is rounded up).
        given().get("/api/v1/jobs/" + existingJob + "?access_token=" + token).then().statusCode(200);
        clock.advance(Duration.ofSeconds(4));
        given().get("/api/v1/jobs/" + existingJob + "?access_token=" + token).then().statusCode(401);
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        given().get("/api/v1/jobs/" + existingJob + "?access_token=" + tampered).then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(401);
    }

    @Test
    void healthMetricsAndOpenApiNeedNoKey() {
        Management.given().get("/q/health/ready").then().statusCode(200);
        Management.given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void thePublicPortServesNeitherMetricsNorHealthWhichNameOtherWorkspaces() {
        api().body("{\"kind\": \"noop\", \"queue\": \"secret-queue-name\"}").post("/api/v1/jobs").then().statusCode(201);
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/health").then().statusCode(404);
        given().get("/q/openapi").then().statusCode(200);
    }

}
