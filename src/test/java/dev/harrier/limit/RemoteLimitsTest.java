package dev.harrier.limit;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.harrier.testing.Management;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared limits on remote kinds and claims: a kind's claims take its rate and hold its permits while they run. */
@QuarkusTest
class RemoteLimitsTest {

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static void enqueue(String kind, int n) {
        for (int i = 0; i < n; i++) {
            api().body("{\"kind\": \"" + kind + "\", \"args\": {\"n\": " + i + "}}").post("/api/v1/jobs").then().statusCode(201);
        }
    }

    private static ExtractableResponse<Response> claim(String kinds, int max, int waitSeconds, String limit) {
        return api().body("{\"worker\": \"w1\", \"kinds\": [" + kinds + "], \"max\": " + max + ", \"waitSeconds\": " + waitSeconds
                + (limit == null ? "" : ", \"limit\": \"" + limit + "\"") + "}").post("/api/v1/workers/claim").then().extract();
    }

    private static void complete(Map<String, Object> job) {
        api().header("Harrier-Lease", (String) job.get("leaseToken")).body("{\"result\": {}}")
                .post("/api/v1/jobs/" + job.get("id") + "/complete").then().statusCode(200);
    }

    @Test
    void aKindsLimitIsCheckedAndCannotBeDeletedUnderIt() {
        api().body("{\"limit\": \"nope\"}").put("/api/v1/kinds/enrich_account").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        api().body("{\"requests\": 5, \"perSeconds\": 1}").put("/api/v1/limits/apollo-rate").then().statusCode(201);
        api().body("{\"limit\": \"apollo-rate\"}").put("/api/v1/kinds/enrich_account").then().statusCode(201)
                .body("limit", equalTo("apollo-rate"));
        api().delete("/api/v1/limits/apollo-rate").then().statusCode(409);
        api().body("{\"worker\": \"w\", \"kinds\": [\"enrich_account\"], \"limit\": \"missing\"}").post("/api/v1/workers/claim")
                .then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().body("{}").put("/api/v1/kinds/enrich_account").then().statusCode(200);
        api().delete("/api/v1/limits/apollo-rate").then().statusCode(204);
    }

    @Test
    void aKindsClaimsKeepToItsRateWithoutABurstAndWakeForTheNextSlot() {
        api().body("{\"requests\": 5, \"perSeconds\": 1}").put("/api/v1/limits/apollo-five").then().statusCode(201);
        api().body("{\"limit\": \"apollo-five\"}").put("/api/v1/kinds/enrich_account").then().statusCode(201);
        enqueue("enrich_account", 6);
        List<Long> claimedAt = new ArrayList<>();
        ExtractableResponse<Response> first = claim("\"enrich_account\"", 10, 5, null);
        assertThat(first.<List<Object>>path("jobs")).as("an idle limit lets one job go, not a burst").hasSize(1);
        long started = System.nanoTime();
        claimedAt.add(started);
        complete(first.path("jobs[0]"));
        while (claimedAt.size() < 6) {
            ExtractableResponse<Response> next = claim("\"enrich_account\"", 10, 5, null);
            assertThat(next.statusCode()).isEqualTo(200);
            List<Map<String, Object>> jobs = next.path("jobs");
            for (Map<String, Object> job : jobs) {
                claimedAt.add(System.nanoTime());
                complete(job);
            }
        }
        // The claims' own times (startedAt, the database's clock in the claim's transaction).
        double spread = TestDatabase.queryLong("SELECT round(extract(EPOCH FROM max(started_at) - min(started_at)) * 1000) "
                + "FROM harrier.jobs WHERE kind = 'enrich_account'") / 1000.0;
        assertThat(spread).as("six jobs at five a second: the last no sooner than 1 s after the first").isGreaterThanOrEqualTo(0.999);
        double seconds = (claimedAt.get(5) - started) / 1e9;
        assertThat(seconds).as("a claim held back by the rate wakes at the next slot, not at the poll").isLessThan(3.5);
    }

    @Test
    void aKindsConcurrencyCountsItsRunningJobsAndAClaimsOwnLimitOnlyItsJobs() {
        api().body("{\"concurrency\": 2}").put("/api/v1/limits/two-at-once").then().statusCode(201);
        api().body("{\"limit\": \"two-at-once\"}").put("/api/v1/kinds/enrich_contact").then().statusCode(201);
        enqueue("enrich_contact", 4);
        List<Map<String, Object>> two = claim("\"enrich_contact\"", 10, 0, null).path("jobs");
        assertThat(two).hasSize(2);
        assertThat(claim("\"enrich_contact\"", 10, 1, null).statusCode()).as("both permits are held").isEqualTo(204);
        complete(two.get(0));
        List<Map<String, Object>> third = claim("\"enrich_contact\"", 10, 5, null).path("jobs");
        assertThat(third).hasSize(1);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running' AND limits = '{two-at-once}'"))
                .isEqualTo(2);
        assertThat(Management.given().get("/q/metrics").then().extract().asString())
                .contains("harrier_limit_granted_total{limit=\"two-at-once\",workspace=\"default\"} 3.0");

        api().body("{\"concurrency\": 1}").put("/api/v1/limits/one-claim").then().statusCode(201);
        api().body("{}").put("/api/v1/kinds/search").then().statusCode(201);
        enqueue("search", 2);
        assertThat(claim("\"search\"", 5, 0, "one-claim").<List<Object>>path("jobs")).hasSize(1);
        assertThat(claim("\"search\"", 5, 0, "one-claim").statusCode()).isEqualTo(204);
        assertThat(claim("\"search\"", 5, 0, null).<List<Object>>path("jobs")).as("a claim without that limit").hasSize(1);
    }
}
