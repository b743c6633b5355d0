package dev.harrier.dataset;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A sync whose instance is killed (SIGKILL) while its transaction has staged part of the snapshot:
 * the other instance rescues the job, its next attempt syncs the snapshot, and the dataset ends as if
 * the sync had run once (one version, every record new once, every record delivered to the app once).
 */
class SyncKillIT {

    private static final String KEY = "it-key-datasets-0123456789abcdef";
    private static final int RECORDS = 200_000;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    @BeforeEach
    @AfterEach
    void clean() {
        TestDatabase.cleanIfMigrated();
    }

    private static String snapshot() {
        StringBuilder json = new StringBuilder(RECORDS * 64).append("{\"rows\": [");
        for (int i = 0; i < RECORDS; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"title\": \"Posting ").append(i)
                    .append("\", \"location\": \"Leeds\"}");
        }
        return json.append("]}").toString();
    }

    @Test
    void anInstanceKilledMidSyncLeavesTheDatasetAsIfTheSyncRanOnce() throws Exception {
        String body = snapshot();
        AtomicInteger downloads = new AtomicInteger();
        Map<Integer, AtomicInteger> delivered = new ConcurrentHashMap<>();
        try (StubServer stub = new StubServer()) {
            stub.withoutRecording()
                    .on("/snapshot.json", r -> {
                        downloads.incrementAndGet();
                        r.response().putHeader("Content-Type", "application/json").end(body);
                    })
                    .onBody("/new", (r, payload) -> {
                        Matcher id = ID.matcher(payload);
                        while (id.find()) {
                            delivered.computeIfAbsent(Integer.parseInt(id.group(1)), k -> new AtomicInteger()).incrementAndGet();
                        }
                        r.response().end("ok");
                    });
            Map<String, String> env = Map.of(
                    "HARRIER_DB_URL", TestDatabase.serviceUrl(),
                    "HARRIER_API_KEYS", "default:" + KEY,
                    "HARRIER_HTTP_ALLOWED_TARGETS", "127.0.0.1",
                    "HARRIER_WORKER_LEASE_DURATION", "3s",
                    "HARRIER_WORKER_HEARTBEAT_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_RESCUE_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_LEADER_TTL", "3s",
                    "HARRIER_RETRY_BASE", "100ms");
            try (HarrierProcess a = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "a"));
                 HarrierProcess b = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "b"))) {
                a.awaitReady(Duration.ofSeconds(90));
                b.awaitReady(Duration.ofSeconds(90));
                String job = given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"kind\": \"sync\", \"maxAttempts\": 5, \"args\": {\"dataset\": \"postings\", \"key\": [\"id\"], "
                                + "\"recordsFrom\": {\"url\": \"" + stub.url("/snapshot.json") + "\", \"pointer\": \"/rows\"}, "
                                + "\"notify\": {\"url\": \"" + stub.url("/new") + "\", \"batch\": 1000}}}")
                        .post(a.baseUrl() + "/api/v1/jobs").then().statusCode(201).extract().path("id");

                // Mid-sync: some transaction has written to the staging table and not committed.
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> TestDatabase.queryLong(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'sync_staging' "
                                + "AND l.mode = 'RowExclusiveLock'") > 0);
                String owner = TestDatabase.queryText("SELECT lease_owner FROM harrier.jobs WHERE id = '" + job + "'");
                HarrierProcess running = "a".equals(owner) ? a : b;
                HarrierProcess survivor = running == a ? b : a;
                new ProcessBuilder("kill", "-KILL", Long.toString(running.pid())).inheritIO().start().waitFor();
                running.awaitExit(Duration.ofSeconds(10));
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.records")).as("nothing of the killed attempt").isZero();

                await().atMost(Duration.ofSeconds(240)).until(() -> "completed".equals(job(survivor, job).getString("status")));
                JsonPath done = job(survivor, job);
                assertThat(done.getInt("attempt")).as("the killed attempt was retried").isGreaterThanOrEqualTo(2);
                assertThat(downloads.get()).isGreaterThanOrEqualTo(2);
                assertThat(done.getInt("result.total")).isEqualTo(RECORDS);
                assertThat(done.getInt("result.new")).isEqualTo(RECORDS);
                assertThat(done.getInt("result.version")).as("one version: the killed sync took none").isEqualTo(1);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.records WHERE state = 'active' AND version = 1"))
                        .isEqualTo(RECORDS);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.sync_staging")).isZero();

                // Every record delivered once: the notify children of the killed attempt never existed.
                assertThat(done.getInt("children.completed")).isEqualTo(RECORDS / 1000);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE parent_id = '" + job + "'"))
                        .isEqualTo(RECORDS / 1000);
                assertThat(delivered).hasSize(RECORDS);
                assertThat(delivered.values().stream().filter(n -> n.get() != 1).count()).as("records delivered twice").isZero();
            }
        }
    }

    private static JsonPath job(HarrierProcess harrier, String id) {
        return given().header("Authorization", "Bearer " + KEY).get(harrier.baseUrl() + "/api/v1/jobs/" + id)
                .then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        var copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

}
