package dev.harrier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two workspaces: a key never sees, lists, streams, cancels or retries the other's jobs. */
@QuarkusTest
class ApiIsolationTest {

    @TestHTTPResource("/")
    URL base;

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void everyJobEndpointAnswers404ForAnotherWorkspacesJob() throws Exception {
        String theirs = as("test-key-other").body("{\"kind\": \"noop\", \"queue\": \"private\", \"uniqueKey\": \"k\"}")
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        as("test-key-other").post("/api/v1/jobs/" + theirs + "/cancel").then().statusCode(200);

        as("test-key-default").get("/api/v1/jobs/" + theirs).then().statusCode(404);
        as("test-key-default").get("/api/v1/jobs/" + theirs + "/logs").then().statusCode(404);
        as("test-key-default").get("/api/v1/jobs/" + theirs + "/items").then().statusCode(404);
        as("test-key-default").post("/api/v1/jobs/" + theirs + "/cancel").then().statusCode(404);
        as("test-key-default").post("/api/v1/jobs/" + theirs + "/retry").then().statusCode(404);
        as("test-key-default").body("{}").post("/api/v1/jobs/" + theirs + "/tokens").then().statusCode(404);
        as("test-key-default").get("/api/v1/jobs").then().statusCode(200).body("jobs", hasSize(0));
        as("test-key-default").get("/api/v1/queues").then().statusCode(200).body("queues", hasSize(0));
        try (SseClient stream = SseClient.open(base.toString() + "api/v1/jobs/" + theirs + "/events",
                Map.of("Authorization", "Bearer test-key-default"))) {
            assertThat(stream.status()).isEqualTo(404);
        }
        String token = as("test-key-other").body("{}").post("/api/v1/jobs/" + theirs + "/tokens").then()
                .statusCode(201).extract().path("token");
        given().get("/api/v1/jobs/" + theirs + "?access_token=" + token).then().statusCode(200);
        as("test-key-default").get("/api/v1/jobs/" + theirs + "?access_token=" + token).then().statusCode(404);

        // The same unique key in another workspace is another job.
        as("test-key-default").body("{\"kind\": \"noop\", \"uniqueKey\": \"k\"}").post("/api/v1/jobs").then().statusCode(201);
        as("test-key-other").get("/api/v1/jobs").then().body("jobs", hasSize(1));
        as("test-key-other").get("/api/v1/queues").then().body("queues", hasSize(1));
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + theirs + "'")).isEqualTo("cancelled");
    }
}
