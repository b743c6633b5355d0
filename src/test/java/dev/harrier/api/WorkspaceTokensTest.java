package dev.harrier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestClock;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workspace tokens and every refusal of a read token: a job token elsewhere, any token acting,
 * a tagged token outside its jobs, an expired or tampered one, another workspace's.
 */
@QuarkusTest
class WorkspaceTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL base;

    @Inject
    TestClock clock;

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static String enqueue(String body) {
        return api().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private static String token(String body) {
        return api().body(body).post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    @Test
    void aWorkspaceTokenReadsEveryGetButSecretsAndActsOnNothing() {
        String id = enqueue("{\"kind\": \"noop\", \"queue\": \"mail\"}");
        api().body("{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"noop\"}}").put("/api/v1/schedules/morning").then().statusCode(201);
        String token = token("{\"ttlSeconds\": 600}");

        for (String path : new String[] {"/api/v1/jobs", "/api/v1/jobs/" + id, "/api/v1/jobs/" + id + "/logs",
                "/api/v1/jobs/" + id + "/items", "/api/v1/queues", "/api/v1/schedules", "/api/v1/schedules/morning",
                "/api/v1/kinds", "/api/v1/datasets", "/api/v1/limits"}) {
            bearer(token).get(path).then().statusCode(200);
            given().get(path + "?access_token=" + token).then().statusCode(200);
        }
        bearer(token).get("/api/v1/jobs").then().body("jobs", hasSize(1));
        bearer(token).get("/api/v1/signing-secret").then().statusCode(403);

        bearer(token).body("{\"kind\": \"noop\"}").post("/api/v1/jobs").then().statusCode(403)
                .body("detail", equalTo("A read token only reads; send an API key to act"));
        bearer(token).post("/api/v1/jobs/" + id + "/cancel").then().statusCode(403);
        bearer(token).post("/api/v1/jobs/" + id + "/retry").then().statusCode(403);
        bearer(token).body("{}").post("/api/v1/jobs/" + id + "/tokens").then().statusCode(403);
        bearer(token).body("{}").post("/api/v1/tokens").then().statusCode(403);
        bearer(token).body("{\"paused\": true}").patch("/api/v1/queues/mail").then().statusCode(403);
        bearer(token).delete("/api/v1/schedules/morning").then().statusCode(403);
        bearer(token).post("/api/v1/schedules/morning/trigger").then().statusCode(403);
        bearer(token).body("{\"kinds\": [\"x\"]}").post("/api/v1/workers/claim").then().statusCode(403);
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + id + "'")).isEqualTo("pending");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isEqualTo(1);
        api().get("/api/v1/schedules/morning").then().statusCode(200).body("paused", equalTo(false));
    }

    @Test
    void aTokenWithTagsReadsOnlyTheJobsCarryingThemAndTheirChildren() throws Exception {
        String mine = enqueue("{\"kind\": \"noop\", \"tags\": [\"user:42\", \"search\"]}");
        String other = enqueue("{\"kind\": \"noop\", \"tags\": [\"user:7\", \"search\"]}");
        String child = enqueue("{\"kind\": \"noop\"}");
        // A child as a pipeline makes it: no tags of its own, its parent's id.
        TestDatabase.execute("UPDATE harrier.jobs SET parent_id = '" + mine + "' WHERE id = '" + child + "'");
        String token = token("{\"ttlSeconds\": 600, \"tags\": [\"user:42\"]}");

        bearer(token).get("/api/v1/jobs").then().statusCode(200)
                .body("jobs.id", containsInAnyOrder(mine));
        bearer(token).get("/api/v1/jobs?tag=search").then().body("jobs.id", containsInAnyOrder(mine));
        bearer(token).get("/api/v1/jobs?parent=" + mine).then().body("jobs.id", containsInAnyOrder(child));
        bearer(token).get("/api/v1/jobs?parent=" + other).then().statusCode(404);
        bearer(token).get("/api/v1/jobs/" + mine).then().statusCode(200);
        bearer(token).get("/api/v1/jobs/" + child).then().statusCode(200);
        bearer(token).get("/api/v1/jobs/" + child + "/logs").then().statusCode(200);
        bearer(token).get("/api/v1/jobs/" + other).then().statusCode(404);
        bearer(token).get("/api/v1/jobs/" + other + "/items").then().statusCode(404);
        try (SseClient stream = SseClient.open(base + "api/v1/jobs/" + other + "/events?access_token=" + token, Map.of())) {
            assertThat(stream.status()).isEqualTo(404);
        }
        for (String path : new String[] {"/api/v1/queues", "/api/v1/schedules", "/api/v1/kinds", "/api/v1/datasets",
                "/api/v1/limits", "/api/v1/signing-secret"}) {
            bearer(token).get(path).then().statusCode(403);
        }

        try (SseClient stream = SseClient.open(base + "api/v1/events?access_token=" + token, Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            enqueue("{\"kind\": \"noop\", \"tags\": [\"user:7\"]}");
            String fresh = enqueue("{\"kind\": \"noop\", \"tags\": [\"user:42\"]}");
            SseClient.Event event = stream.next(WAIT);
            while (!"status".equals(event.name())) {
                event = stream.next(WAIT);
            }
            assertThat(JSON.readTree(event.data()).get("id").asText())
                    .as("the first status event is of the user's job, not the other user's enqueued before it")
                    .isEqualTo(fresh);
        }
    }

    @Test
    void aJobTokenReadsItsJobOnly() {
        String id = enqueue("{\"kind\": \"noop\"}");
        String other = enqueue("{\"kind\": \"noop\"}");
        String token = api().body("{}").post("/api/v1/jobs/" + id + "/tokens").then().statusCode(201).extract().path("token");

        bearer(token).get("/api/v1/jobs/" + id).then().statusCode(200);
        bearer(token).get("/api/v1/jobs/" + other).then().statusCode(403);
        bearer(token).get("/api/v1/jobs").then().statusCode(403);
        bearer(token).get("/api/v1/events").then().statusCode(403);
        bearer(token).get("/api/v1/queues").then().statusCode(403);
        bearer(token).post("/api/v1/jobs/" + id + "/cancel").then().statusCode(403);
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + id + "'")).isEqualTo("pending");
    }

    @Test
    void expiredTamperedAndForeignTokensAreRefused() throws Exception {
        String id = enqueue("{\"kind\": \"noop\", \"tags\": [\"user:42\"]}");
        String token = token("{\"ttlSeconds\": 60, \"tags\": [\"user:42\"]}");
        bearer(token).get("/api/v1/jobs/" + id).then().statusCode(200);

        // Tampered: the tags claim widened to none, the signature left as it was.
        String[] parts = token.split("\\.");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        ((ObjectNode) claims).putArray("tags");
        String widened = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(claims))
                + "." + parts[2];
        bearer(widened).get("/api/v1/queues").then().statusCode(401);
        bearer(widened.substring(0, widened.length() - 2) + "xx").get("/api/v1/jobs").then().statusCode(401);

        // Another workspace's token reads nothing of this one.
        String theirs = given().header("Authorization", "Bearer test-key-other").contentType(ContentType.JSON)
                .body("{}").post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        bearer(theirs).get("/api/v1/jobs/" + id).then().statusCode(404);
        bearer(theirs).get("/api/v1/jobs").then().statusCode(200).body("jobs", hasSize(0));

        clock.advance(Duration.ofSeconds(62));
        bearer(token).get("/api/v1/jobs/" + id).then().statusCode(401);
    }

    @Test
    void badTokenRequestsAreRefusedByField() {
        api().body("{\"ttlSeconds\": 0}").post("/api/v1/tokens").then().statusCode(400)
                .body("errors[0].field", equalTo("ttlSeconds"));
        api().body("{\"tags\": [\"\"]}").post("/api/v1/tokens").then().statusCode(400)
                .body("errors[0].field", equalTo("tags[0]"));
        api().body("{\"scope\": \"all\"}").post("/api/v1/tokens").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/tokens").then().statusCode(401);
    }
}
