package dev.harrier.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelines across two packaged instances on one PostgreSQL: an {@code each} of 1,000 {@code http}
 * children with concurrency 10, whose target (a local stub) records how many requests it holds at
 * once; one instance is killed (SIGKILL) while the parent waits, and the other ends it with exact
 * counts. Then a chain of three {@code then} links, each run once, on the survivor.
 */
class PipelineIT {

    private static final String KEY = "it-key-pipelines-0123456789abcdef";
    private static final int ITEMS = 1_000;
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");

    @BeforeEach
    @AfterEach
    void clean() {
        TestDatabase.cleanIfMigrated();
    }

    @Test
    void anEachOnTwoInstancesKeepsItsWindowAndEndsExactlyWhenOneIsKilled() throws Exception {
        Vertx vertx = Vertx.vertx();
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (StubServer stub = new StubServer()) {
            stub.withoutRecording().onBody("/work", (request, body) -> {
                Matcher n = N.matcher(body);
                if (n.find()) {
                    calls.computeIfAbsent(Integer.parseInt(n.group(1)), k -> new AtomicInteger()).incrementAndGet();
                }
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                // Held a little, so that requests in flight overlap as much as the window allows.
                vertx.setTimer(15, id -> {
                    inFlight.decrementAndGet();
                    request.response().end("ok");
                });
            });
            stub.on("/chain", r -> r.response().putHeader("Content-Type", "application/json").end("{\"step\": 1}"));
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
                String items = IntStream.range(0, ITEMS).mapToObj(Integer::toString).collect(Collectors.joining(","));
                String parent = given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"kind\": \"each\", \"args\": {\"items\": [" + items + "], \"concurrency\": 10, "
                                + "\"job\": {\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/work")
                                + "\", \"body\": {\"n\": \"{{item}}\"}}}}}")
                        .post(b.baseUrl() + "/api/v1/jobs").then().statusCode(201).extract().path("id");
                await().atMost(Duration.ofSeconds(60)).until(() -> "waiting".equals(status(a, parent))
                        && TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running' "
                                + "AND lease_owner = 'b' AND parent_id IS NOT NULL") > 0);
                new ProcessBuilder("kill", "-KILL", Long.toString(b.pid())).inheritIO().start().waitFor();
                b.awaitExit(Duration.ofSeconds(10));
                long doneAtTheKill = TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE parent_id IS NOT NULL "
                        + "AND status = 'completed'");
                assertThat(doneAtTheKill).as("the kill came while children were left").isLessThan(ITEMS);

                await().atMost(Duration.ofSeconds(180)).until(() -> "completed".equals(status(a, parent)));
                JsonPath done = job(a, parent);
                assertThat(done.getInt("children.total")).isEqualTo(ITEMS);
                assertThat(done.getInt("children.completed")).isEqualTo(ITEMS);
                assertThat(done.getInt("children.failed") + done.getInt("children.pending") + done.getInt("children.running")).isZero();
                assertThat(done.getInt("result.enqueued")).isEqualTo(ITEMS);
                assertThat(IntStream.range(0, ITEMS).filter(n -> !calls.containsKey(n)).boxed().toList()).as("items never sent").isEmpty();
                assertThat(most.get()).as("requests in flight at once").isBetween(2, 10);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE job_id = '" + parent
                        + "' AND type = 'child'")).isEqualTo(ITEMS);

                // A chain of three links on the survivor: each enqueued and run once.
                given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/chain") + "\"}, \"tags\": [\"chain\"], "
                                + "\"then\": {\"kind\": \"noop\", \"args\": {\"sleepMs\": \"{{result.body.step}}\"}, \"tags\": [\"chain\"], "
                                + "\"then\": {\"kind\": \"noop\", \"tags\": [\"chain\", \"after:{{job.id}}\"], "
                                + "\"then\": {\"kind\": \"noop\", \"tags\": [\"chain\", \"last\"]}}}}")
                        .post(a.baseUrl() + "/api/v1/jobs").then().statusCode(201);
                await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.queryLong(
                        "SELECT count(*) FROM harrier.jobs WHERE 'last' = ANY(tags) AND status = 'completed'") == 1);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE 'chain' = ANY(tags)")).isEqualTo(4);
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE 'chain' = ANY(tags) AND attempt <> 1"))
                        .isZero();
                assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_followups")).isZero();
            }
        } finally {
            vertx.close();
        }
    }

    private static String status(HarrierProcess harrier, String id) {
        return job(harrier, id).getString("status");
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
