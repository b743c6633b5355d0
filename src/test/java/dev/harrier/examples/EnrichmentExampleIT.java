package dev.harrier.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.ExampleProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 004 as {@code examples/run.sh 004} starts it (the retry schedule shortened to 1, 2, 4, 8 s):
 * the Python worker enriches accounts and a contact with the Apollo key it gets only in its claims;
 * a flaky domain succeeds on its third attempt; a broken one ends in the dead letter after five,
 * and its retry (the dashboard's button) succeeds once the API recovers; logs and per-kind stats.
 */
class EnrichmentExampleIT {

    @BeforeAll
    static void clean() {
        TestDatabase.cleanIfMigrated();
    }

    private static JsonPath job(ExampleProcess example, String tag) {
        return example.api().get("/api/v1/jobs?tag=" + tag).then().statusCode(200).extract().jsonPath().setRootPath("jobs[0]");
    }

    @Test
    void accountsAreEnrichedWithTheSecretKeyRetriedWithBackoffAndTheDeadLetterRetried() throws Exception {
        try (ExampleProcess example = ExampleProcess.start("004", 2, Map.of("BACKOFF_BASE_SECONDS", "1"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "failed".equals(job(example, "account:acc-3").getString("status")));
            await().atMost(Duration.ofSeconds(30)).until(() -> example.state(1).getMap("accounts").size() == 2
                    && example.state(1).getMap("contacts").size() == 1);

            JsonPath app = example.state(1);
            assertThat(app.getString("accounts.acc-1.organization.name")).isEqualTo("Acme");
            assertThat(app.getString("accounts.acc-2.organization.primary_domain")).isEqualTo("flaky.example");
            assertThat(app.getString("contacts.con-1.person.title")).isEqualTo("Head of Engineering");
            JsonPath apollo = example.state(0);
            assertThat(apollo.getInt("wrongKey")).as("every call carried the key from the secret").isZero();
            assertThat(apollo.getInt("calls.'flaky.example'")).isEqualTo(3);
            assertThat(apollo.getInt("calls.'broken.example'")).as("five attempts, then the dead letter").isEqualTo(5);

            JsonPath flaky = job(example, "account:acc-2");
            assertThat(flaky.getString("status")).isEqualTo("completed");
            assertThat(flaky.getInt("attempt")).isEqualTo(3);
            JsonPath broken = job(example, "account:acc-3");
            assertThat(broken.getInt("attempt")).isEqualTo(5);
            assertThat(broken.getString("error.message")).contains("500");
            assertThat(broken.getString("args.apolloKey")).as("documents show the placeholder").isEqualTo("{{secret:APOLLO_API_KEY}}");
            String id = broken.getString("id");
            assertThat(example.api().get("/api/v1/jobs?status=failed").then().extract().jsonPath().getList("jobs.id")).containsExactly(id);
            assertThat(example.api().get("/api/v1/jobs/" + id + "/logs").then().statusCode(200).extract().asString())
                    .contains("enriching {'domain': 'broken.example'}").doesNotContain("apollo-key-0123456789");

            RestAssured.post(example.stub(0) + "/_recover").then().statusCode(200);
            example.api().post("/api/v1/jobs/" + id + "/retry").then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(job(example, "account:acc-3").getString("status")));
            assertThat(example.state(1).getString("accounts.acc-3.organization.primary_domain")).isEqualTo("broken.example");

            JsonPath stats = example.api().get("/api/v1/stats?since=1h").then().statusCode(200).extract().jsonPath();
            assertThat(stats.getInt("kinds.find { it.kind == 'enrich_account' }.completed")).isEqualTo(3);
            // Jobs that needed more than one attempt: acc-2 (three); acc-3's retry from the dead letter started its attempts again.
            assertThat(stats.getInt("kinds.find { it.kind == 'enrich_account' }.retried")).isEqualTo(1);
            assertThat(stats.getInt("kinds.find { it.kind == 'enrich_contact' }.completed")).isEqualTo(1);
        }
    }
}
