package dev.harrier.remote;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Remote kinds: declare, list with the built-in ones, schemas checked at enqueue, delete. */
@QuarkusTest
class ApiRemoteKindsTest {

    static final String SEARCH = """
            {"argsSchema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
               "properties": {"query": {"type": "string", "minLength": 1},
                              "location": {"type": "string", "pattern": "^[A-Z][a-z]+$"},
                              "pages": {"type": "integer", "minimum": 1, "maximum": 10}},
               "required": ["query"], "additionalProperties": false},
             "timeoutSeconds": 120, "maxAttempts": 4,
             "backoff": {"baseSeconds": 1, "factor": 2, "maxSeconds": 8, "jitter": 0}}""";

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void aDeclaredKindIsListedWithTheBuiltInOnesAndItsSchemaDecidesEnqueues() {
        api().body(SEARCH).put("/api/v1/kinds/search").then().log().ifValidationFails().statusCode(201)
                .body("kind", equalTo("search")).body("runBy", equalTo("remote"))
                .body("argsSchema.required", contains("query")).body("timeoutSeconds", equalTo(120))
                .body("maxAttempts", equalTo(4)).body("backoff.maxSeconds", equalTo(8));
        api().body(SEARCH).put("/api/v1/kinds/search").then().statusCode(200);
        api().get("/api/v1/kinds").then().statusCode(200)
                .body("kinds.kind", hasItems("noop", "http", "scrape", "enrich", "search"))
                .body("kinds.find { it.kind == 'scrape' }.runBy", equalTo("harrier"))
                .body("kinds.find { it.kind == 'scrape' }.argsSchema.properties.urls", notNullValue())
                .body("kinds.find { it.kind == 'search' }.argsSchema.properties.query.type", equalTo("string"));

        // Valid args: the kind's defaults fill what the enqueue leaves out.
        api().body("{\"kind\": \"search\", \"args\": {\"query\": \"java\", \"location\": \"London\"}}").post("/api/v1/jobs")
                .then().log().ifValidationFails().statusCode(201)
                .body("maxAttempts", equalTo(4)).body("timeoutSeconds", equalTo(120)).body("status", equalTo("pending"));
        api().body("{\"kind\": \"search\", \"args\": {\"query\": \"go\"}, \"maxAttempts\": 2}").post("/api/v1/jobs")
                .then().statusCode(201).body("maxAttempts", equalTo(2));

        // Invalid args: every problem named by a JSON Pointer below args, nothing enqueued.
        api().body("{\"kind\": \"search\", \"args\": {\"query\": \"\", \"location\": \"london\", \"pages\": 11, \"x\": 1}}")
                .post("/api/v1/jobs").then().log().ifValidationFails().statusCode(400)
                .body("errors.field", hasItems("args/query", "args/location", "args/pages", "args"));
        api().body("{\"jobs\": [{\"kind\": \"search\", \"args\": {\"query\": \"ok\"}}, {\"kind\": \"search\", \"args\": {}}]}")
                .post("/api/v1/jobs/batch").then().statusCode(400)
                .body("errors.field", hasItem("jobs[1].args"));
        api().get("/api/v1/jobs?kind=search").then().statusCode(200).body("jobs.size()", equalTo(2));

        // Deleted: existing jobs stay, new ones are refused.
        api().delete("/api/v1/kinds/search").then().statusCode(204);
        api().delete("/api/v1/kinds/search").then().statusCode(404);
        api().body("{\"kind\": \"search\", \"args\": {\"query\": \"java\"}}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("kind")).body("errors[0].message", startsWith("unknown kind 'search'"));
        api().get("/api/v1/jobs?kind=search").then().statusCode(200).body("jobs.size()", equalTo(2));
    }

    @Test
    void aKindWithoutSchemaTakesAnyObjectAndAnUndeclaredKindIsRefused() {
        api().body("{\"kind\": \"apply\", \"args\": {\"a\": 1}}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("kind"));
        api().put("/api/v1/kinds/apply").then().statusCode(201).body("argsSchema", nullValue());
        api().body("{\"kind\": \"apply\", \"args\": {\"a\": [1, 2]}}").post("/api/v1/jobs").then().statusCode(201);
        api().body("{\"kind\": \"apply\", \"args\": [1]}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("args"));
    }

    @Test
    void badDeclarationsAreRefusedAndChangeNothing() {
        api().body("{}").put("/api/v1/kinds/noop").then().statusCode(409);
        api().body("{}").put("/api/v1/kinds/bad name").then().statusCode(400);
        api().body("{\"argsSchema\": {\"$ref\": \"https://evil.example/schema.json\"}}").put("/api/v1/kinds/k").then()
                .statusCode(400).body("errors[0].field", equalTo("argsSchema/$ref"));
        api().body("{\"argsSchema\": {\"properties\": {\"a\": {\"$ref\": \"other.json#/x\"}}}}").put("/api/v1/kinds/k").then()
                .statusCode(400).body("errors[0].field", equalTo("argsSchema/properties/a/$ref"));
        api().body("{\"argsSchema\": {\"$schema\": \"http://json-schema.org/draft-07/schema#\"}}").put("/api/v1/kinds/k").then()
                .statusCode(400).body("errors[0].field", equalTo("argsSchema/$schema"));
        api().body("{\"argsSchema\": {\"type\": \"string\", \"pattern\": \"(?<=a)b\"}}").put("/api/v1/kinds/k").then()
                .statusCode(400).body("errors[0].field", equalTo("argsSchema"));
        api().body("{\"argsSchema\": {\"description\": \"" + "x".repeat(70_000) + "\"}}").put("/api/v1/kinds/k").then()
                .statusCode(400).body("errors[0].message", startsWith("must be at most 65536 bytes"));
        api().body("{\"maxAttempts\": 0, \"timeoutSeconds\": 0, \"backoff\": {\"factor\": 0.5, \"jitter\": 2}}")
                .put("/api/v1/kinds/k").then().statusCode(400)
                .body("errors.field", hasItems("maxAttempts", "timeoutSeconds", "backoff.factor", "backoff.jitter"));
        api().body("{\"unknown\": 1}").put("/api/v1/kinds/k").then().statusCode(400);
        api().get("/api/v1/kinds/k").then().statusCode(404);
    }

    @Test
    void aPatternCannotMakeAnEnqueueBacktrack() {
        // (a+)+$ on a long run of a's followed by a b backtracks exponentially in java.util.regex.
        api().body("{\"argsSchema\": {\"properties\": {\"s\": {\"type\": \"string\", \"pattern\": \"^(a+)+$\"}}}}")
                .put("/api/v1/kinds/redos").then().statusCode(201);
        String evil = "a".repeat(5_000) + "b";
        long started = System.nanoTime();
        api().body("{\"kind\": \"redos\", \"args\": {\"s\": \"" + evil + "\"}}").post("/api/v1/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("args/s"));
        // Not a benchmark: a backtracking engine would take longer than the age of the universe here.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aWorkspaceMayDeclareAsManyKindsAsItsLimit() {
        for (int i = 0; i < 5; i++) {
            api().put("/api/v1/kinds/k" + i).then().statusCode(201);
        }
        api().put("/api/v1/kinds/k5").then().statusCode(400).body("errors[0].field", equalTo("kind"))
                .body("errors[0].message", containsString("HARRIER_LIMITS_KINDS"));
        api().put("/api/v1/kinds/k4").then().statusCode(200);
        api().get("/api/v1/kinds/k5").then().statusCode(404);
    }

    @Test
    void kindsAreKeptPerWorkspace() {
        api().body(SEARCH).put("/api/v1/kinds/search").then().statusCode(201);
        given().header("Authorization", "Bearer test-key-other").contentType(ContentType.JSON)
                .body("{\"kind\": \"search\", \"args\": {\"query\": \"x\"}}").post("/api/v1/jobs").then().statusCode(400);
        given().header("Authorization", "Bearer test-key-other").get("/api/v1/kinds/search").then().statusCode(404);
        List<String> other = given().header("Authorization", "Bearer test-key-other").get("/api/v1/kinds").then()
                .statusCode(200).extract().path("kinds.kind");
        assertThat(other).contains("noop").doesNotContain("search");
        given().get("/api/v1/kinds").then().statusCode(401);
    }
}
