package dev.harrier.api;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker's report reaching an instance that did not serve its claim (instances behind one
 * address): the values are read from the job's args there, and the report is redacted all the same.
 */
@QuarkusTest
class LeaseSecretsTest {

    private static final String VALUE = "lease-secret-value-42";

    @Inject
    LeaseSecrets leaseSecrets;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void aReportToAnotherInstanceThanTheClaimsIsRedactedToo() {
        api().body("{\"value\": \"" + VALUE + "\", \"kinds\": [\"lease-kind\"]}").put("/api/v1/secrets/LEASE_KEY").then().statusCode(204);
        api().body("{}").put("/api/v1/kinds/lease-kind").then().statusCode(201);
        String id = api().body("{\"kind\": \"lease-kind\", \"args\": {\"key\": \"{{secret:LEASE_KEY}}\"}}").post("/api/v1/jobs").then()
                .statusCode(201).extract().path("id");
        JsonPath claimed = api().body("{\"worker\": \"w\", \"kinds\": [\"lease-kind\"]}").post("/api/v1/workers/claim").then()
                .statusCode(200).extract().jsonPath();
        assertThat(claimed.getString("jobs[0].args.key")).isEqualTo(VALUE);
        leaseSecrets.forget(UUID.fromString(id)); // as an instance that never saw the claim

        api().header("Harrier-Lease", claimed.getString("jobs[0].leaseToken")).body("{\"logs\": [{\"message\": \"using " + VALUE + "\"}]}")
                .post("/api/v1/jobs/" + id + "/logs").then().statusCode(204);
        assertThat(api().get("/api/v1/jobs/" + id + "/logs").then().extract().asString())
                .contains("using [secret:LEASE_KEY]").doesNotContain(VALUE);

        // A report over HARRIER_LIMITS_REPORT_BYTES (1 MiB) is refused before anything reads it.
        api().header("Harrier-Lease", claimed.getString("jobs[0].leaseToken"))
                .body("{\"logs\": [{\"message\": \"" + "x".repeat(1024 * 1024) + "\"}]}")
                .post("/api/v1/jobs/" + id + "/logs").then().statusCode(413).body("detail", containsString("HARRIER_LIMITS_REPORT_BYTES"));
        assertThat(api().get("/api/v1/jobs/" + id + "/logs").then().extract().jsonPath().getList("logs")).hasSize(1);
    }
}
