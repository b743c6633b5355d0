package dev.harrier.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code enrich} kind against a local enrichment stub. */
@QuarkusTest
class EnrichKindTest {

    @Inject
    EngineHarness harness;

    private StubServer stub;

    @BeforeEach
    void start() throws Exception {
        TestDatabase.clean();
        stub = new StubServer();
        stub.onBody("/v1/companies", (r, body) -> {
            String domain = new JsonObject(body).getString("domain");
            if (domain.equals("unknown.com")) {
                r.response().setStatusCode(404).end("{\"error\": \"no company for unknown.com\"}");
            } else {
                r.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("name", domain.replace(".com", "").toUpperCase()).put("employees", 42).encode());
            }
        });
        harness.start("enricher");
    }

    @AfterEach
    void stop() throws Exception {
        harness.stopAll();
        stub.close();
    }

    @Test
    void eachRecordIsPostedAndTheReplyMergedUnderMergeAs() {
        EnqueueResult enqueued = harness.submit("enrich", "{\"records\": [{\"domain\": \"acme.com\"}, {\"domain\": \"globex.com\"},"
                + " {\"domain\": \"unknown.com\"}], \"endpoint\": {\"url\": \"" + stub.url("/v1/companies") + "\"},"
                + " \"concurrency\": 2, \"rate\": {\"requests\": 50, \"perSeconds\": 1}, \"mergeAs\": \"company\", \"retries\": 1}");

        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(20));

        JsonNode result = harness.json(done.resultJson());
        assertThat(result.get("total").asInt()).isEqualTo(3);
        assertThat(result.get("ok").asInt()).isEqualTo(2);
        assertThat(result.get("failed").asInt()).isEqualTo(1);
        JsonNode acme = harness.json(TestDatabase.queryText("SELECT data::text FROM harrier.job_items WHERE job_id = '"
                + done.id() + "' AND idx = 0"));
        assertThat(acme.get("domain").asText()).isEqualTo("acme.com");
        assertThat(acme.get("company").get("name").asText()).isEqualTo("ACME");
        assertThat(stub.received()).allMatch(r -> r.method().equals("POST") && r.headers().get("content-type").equals("application/json"));
        assertThat(TestDatabase.queryText("SELECT error FROM harrier.job_items WHERE job_id = '" + done.id() + "' AND idx = 2"))
                .as("what the server said is kept").isEqualTo("HTTP 404 from 127.0.0.1: {\"error\": \"no company for unknown.com\"}");
        String items = RestAssured.given().header("Authorization", "Bearer test-key-default")
                .get("/api/v1/jobs/" + done.id() + "/items").then().statusCode(200)
                .body("items[0].input.domain", Matchers.equalTo("acme.com"))
                .extract().asString();
        assertThat(items).as("the record as JSON, not a string holding JSON").contains("\"input\":{\"domain\":\"acme.com\"}");
    }
}
