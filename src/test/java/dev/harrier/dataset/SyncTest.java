package dev.harrier.dataset;

import static dev.harrier.testing.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import dev.harrier.http.RequestSigner;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.time.Backoff;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sync kind and the dataset endpoints: every state transition, the guards, notify, isolation. */
@QuarkusTest
class SyncTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EngineHarness harness;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private JsonPath sync(String dataset, String records, String extra, JobStatus expected) {
        String id = api().body("{\"kind\": \"sync\", \"maxAttempts\": 1, \"args\": {\"dataset\": \"" + dataset
                        + "\", \"key\": [\"title\", \"location\"], \"records\": [" + records + "]" + extra + "}}")
                .post("/api/v1/jobs").then().log().ifValidationFails().statusCode(201).extract().path("id");
        harness.awaitStatus(UUID.fromString(id), expected, WAIT);
        return api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
    }

    private static String job(String title, String location, String salary) {
        return "{\"title\": \"" + title + "\", \"location\": \"" + location + "\", \"salary\": \"" + salary + "\"}";
    }

    @Test
    void everyTransitionNewActiveChangedExpiredAndNewAgainWithDuplicates() {
        harness.start("a");
        JsonPath first = sync("jobs.acme", job("Engineer", "Seattle", "1") + "," + job("Designer", "Austin", "2") + ","
                + job("Analyst", "Boston", "3"), "", JobStatus.COMPLETED);
        assertThat(first.getInt("result.total")).isEqualTo(3);
        assertThat(first.getInt("result.new")).isEqualTo(3);
        assertThat(first.getInt("result.version")).isEqualTo(1);

        // Same content in another field order is the same record; a salary change is a change.
        JsonPath second = sync("jobs.acme", "{\"salary\": \"1\", \"location\": \"Seattle\", \"title\": \"Engineer\"}," + job("Designer", "Austin", "2.5")
                + "," + job("Writer", "Denver", "4") + "," + job("Writer", "Denver", "5"), "", JobStatus.COMPLETED);
        assertThat(second.getInt("result.total")).isEqualTo(4);
        assertThat(second.getInt("result.duplicates")).isEqualTo(1);
        assertThat(second.getInt("result.active")).isEqualTo(1);
        assertThat(second.getInt("result.changed")).isEqualTo(1);
        assertThat(second.getInt("result.new")).isEqualTo(1);
        assertThat(second.getInt("result.expired")).isEqualTo(1);
        assertThat(second.getInt("result.version")).isEqualTo(2);

        JsonPath expired = api().get("/api/v1/datasets/jobs.acme/records?state=expired").then().statusCode(200).extract().jsonPath();
        assertThat(expired.getList("records")).hasSize(1);
        assertThat(expired.getList("records[0].key")).containsExactly("Analyst", "Boston");
        assertThat(expired.getString("records[0].expiredAt")).isNotNull();
        JsonPath writer = api().get("/api/v1/datasets/jobs.acme/records?afterVersion=1").then().extract().jsonPath();
        assertThat(writer.getList("records")).hasSize(3);
        assertThat(writer.getLong("version")).isEqualTo(2);
        assertThat(writer.getString("records.find { it.key[0] == 'Writer' }.data.salary")).isEqualTo("5");

        JsonPath third = sync("jobs.acme", job("Engineer", "Seattle", "1") + "," + job("Designer", "Austin", "2.5") + ","
                + job("Writer", "Denver", "5") + "," + job("Analyst", "Boston", "3"), "", JobStatus.COMPLETED);
        assertThat(third.getInt("result.new")).as("expired, then back: new again").isEqualTo(1);
        assertThat(third.getInt("result.active")).isEqualTo(3);
        assertThat(third.getInt("result.expired")).isZero();
        api().get("/api/v1/datasets/jobs.acme/records?afterVersion=2").then()
                .body("records", hasSize(1)).body("records[0].state", equalTo("active")).body("version", equalTo(3));
        api().get("/api/v1/datasets").then().statusCode(200)
                .body("datasets[0].name", equalTo("jobs.acme"))
                .body("datasets[0].key", equalTo(List.of("title", "location")))
                .body("datasets[0].counts.active", equalTo(4))
                .body("datasets[0].counts.expired", equalTo(0))
                .body("datasets[0].lastSync.new", equalTo(1));
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.dataset_records WHERE dataset = 'jobs.acme' AND state = 'active'"))
                .isEqualTo(4);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.sync_staging")).isZero();
    }

    @Test
    void aSuspiciousSnapshotChangesNothingUnlessForcedAndAPartitionExpiresOnlyItsOwn() {
        harness.start("a");
        sync("mixed", "{\"title\": \"A\", \"location\": \"x\", \"company\": \"Amazon\"}, {\"title\": \"B\", \"location\": \"x\", \"company\": \"Amazon\"},"
                + "{\"title\": \"C\", \"location\": \"x\", \"company\": \"Amazon\"}, {\"title\": \"G\", \"location\": \"y\", \"company\": \"Google\"}",
                "", JobStatus.COMPLETED);
        JsonPath empty = sync("mixed", "", "", JobStatus.FAILED);
        assertThat(empty.getString("error.type")).isEqualTo("suspicious_snapshot");
        JsonPath most = sync("mixed", "{\"title\": \"A\", \"location\": \"x\", \"company\": \"Amazon\"}",
                ", \"partition\": {\"company\": \"Amazon\"}", JobStatus.FAILED);
        assertThat(most.getString("error.type")).isEqualTo("suspicious_snapshot");
        assertThat(most.getString("error.message")).contains("2 of the 3");
        api().get("/api/v1/datasets").then().body("datasets[0].counts.active", equalTo(4));

        JsonPath forced = sync("mixed", "{\"title\": \"A\", \"location\": \"x\", \"company\": \"Amazon\"}",
                ", \"partition\": {\"company\": \"Amazon\"}, \"force\": true", JobStatus.COMPLETED);
        assertThat(forced.getInt("result.expired")).as("Google's record is outside the partition").isEqualTo(2);
        api().get("/api/v1/datasets").then().body("datasets[0].counts.active", equalTo(2));
        JsonPath kept = sync("mixed", "{\"title\": \"Z\", \"location\": \"z\", \"company\": \"Amazon\"}",
                ", \"expire\": false", JobStatus.COMPLETED);
        assertThat(kept.getInt("result.expired")).isZero();
        assertThat(kept.getInt("result.new")).isEqualTo(1);
    }

    @Test
    void changesAreDeliveredInBatchesOnceEachRetriedWhenTheAppFailsSignedAsNotify() throws Exception {
        try (StubServer app = new StubServer()) {
            AtomicInteger calls = new AtomicInteger();
            app.on("/new", r -> r.response().setStatusCode(calls.incrementAndGet() == 1 ? 503 : 200).end("ok"));
            harness.start("a", b -> b.maintenance(true).backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0)));
            JsonPath done = sync("notified", job("A", "x", "1") + "," + job("B", "x", "1") + "," + job("C", "x", "1"),
                    ", \"notify\": {\"url\": \"" + app.url("/new") + "\", \"batch\": 2}", JobStatus.COMPLETED);
            assertThat(done.getInt("children.total")).isEqualTo(2);
            assertThat(done.getInt("children.completed")).isEqualTo(2);
            assertThat(app.count("/new")).isEqualTo(3);
            List<StubServer.Received> received = app.received();
            assertThat(received.stream().map(StubServer.Received::body).distinct().toList()).hasSize(2);
            assertThat(received.stream().map(StubServer.Received::body).distinct()
                    .mapToInt(body -> new JsonPath(body).getList("records").size()).sum()).as("each record once").isEqualTo(3);
            StubServer.Received last = received.get(received.size() - 1);
            assertThat(new JsonPath(last.body()).getString("dataset")).isEqualTo("notified");
            assertThat(new JsonPath(last.body()).getString("state")).isEqualTo("new");
            JsonPath secrets = api().get("/api/v1/signing-secret").then().extract().jsonPath();
            String signature = last.headers().get("harrier-signature");
            long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
            assertThat(signature).startsWith("t=" + t + ",v1=" + HexFormat.of().formatHex(
                    RequestSigner.hmac(secrets.getString("secret"), "notify", t, last.body().getBytes())));

            // Nothing new: nothing delivered.
            JsonPath again = sync("notified", job("A", "x", "1") + "," + job("B", "x", "1") + "," + job("C", "x", "1"),
                    ", \"notify\": {\"url\": \"" + app.url("/new") + "\", \"batch\": 2}", JobStatus.COMPLETED);
            assertThat((Object) again.get("children")).isNull();
            assertThat(app.count("/new")).isEqualTo(3);
        }
    }

    @Test
    void syncsOfOneDatasetNeverInterleave() {
        harness.start("a");
        String records = IntStreamRecords.of(2_000);
        List<String> ids = List.of(
                api().body("{\"kind\": \"sync\", \"args\": {\"dataset\": \"busy\", \"key\": [\"title\", \"location\"], \"records\": [" + records + "]}}")
                        .post("/api/v1/jobs").then().statusCode(201).extract().path("id"),
                api().body("{\"kind\": \"sync\", \"args\": {\"dataset\": \"busy\", \"key\": [\"title\", \"location\"], \"records\": [" + records + "]}}")
                        .post("/api/v1/jobs").then().statusCode(201).extract().path("id"));
        for (String id : ids) {
            harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
        }
        List<JsonPath> results = ids.stream().map(id -> api().get("/api/v1/jobs/" + id).then().extract().jsonPath()).toList();
        assertThat(results.stream().map(r -> r.getInt("result.version")).sorted().toList()).containsExactly(1, 2);
        JsonPath firstDone = results.stream().filter(r -> r.getInt("result.version") == 1).findFirst().orElseThrow();
        JsonPath secondDone = results.stream().filter(r -> r.getInt("result.version") == 2).findFirst().orElseThrow();
        assertThat(firstDone.getInt("result.new")).isEqualTo(2_000);
        assertThat(secondDone.getInt("result.active")).isEqualTo(2_000);
        assertThat(secondDone.getInt("result.new")).isZero();
    }

    @Test
    void datasetsAreTheWorkspacesOwnAndBadArgumentsAreRefused() {
        harness.start("a");
        sync("mine", job("A", "x", "1"), "", JobStatus.COMPLETED);
        given().header("Authorization", "Bearer test-key-other").get("/api/v1/datasets").then().statusCode(200).body("datasets", hasSize(0));
        given().header("Authorization", "Bearer test-key-other").get("/api/v1/datasets/mine/records").then().statusCode(404);
        given().header("Authorization", "Bearer test-key-other").delete("/api/v1/datasets/mine").then().statusCode(404);
        api().get("/api/v1/datasets/mine/records?state=gone").then().statusCode(400).body("errors[0].field", equalTo("state"));
        api().body("{\"kind\": \"sync\", \"args\": {\"dataset\": \"bad name!\", \"key\": [], \"records\": [1]}}")
                .post("/api/v1/jobs").then().statusCode(400)
                .body("errors.field", hasItems("args.dataset", "args.key", "args.records[0]"));
        api().delete("/api/v1/datasets/mine").then().statusCode(204);
        api().get("/api/v1/datasets/mine/records").then().statusCode(404);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.records WHERE dataset = 'mine'")).isZero();
    }

    @Test
    void aWorkspaceAtItsDatasetLimitSyncsIntoItsDatasetsButCreatesNoMore() {
        harness.start("a");
        sync("kept", job("A", "x", "1"), "", JobStatus.COMPLETED);
        TestDatabase.execute("INSERT INTO harrier.datasets (workspace, name, key_fields) "
                + "SELECT 'default', 'filler-' || n, '{title,location}' FROM generate_series(2, 1000) AS n");
        JsonPath refused = sync("one-too-many", job("A", "x", "1"), "", JobStatus.FAILED);
        assertThat(refused.getString("error.type")).isEqualTo("invalid_args");
        assertThat(refused.getString("error.message")).contains("1000 datasets", "HARRIER_LIMITS_DATASETS");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.datasets WHERE workspace = 'default'")).isEqualTo(1000);
        JsonPath existing = sync("kept", job("A", "x", "1") + "," + job("B", "x", "1"), "", JobStatus.COMPLETED);
        assertThat(existing.getInt("result.new")).isEqualTo(1);
    }

    /** Records of distinct keys, as JSON text. */
    static final class IntStreamRecords {
        static String of(int n) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < n; i++) {
                out.append(i == 0 ? "" : ",").append(job("T" + i, "L" + i, "1"));
            }
            return out.toString();
        }
    }
}
