package dev.harrier.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.boot.DatabaseUrl;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An instance killed (SIGKILL) while it holds a local supply: jobs claimed ahead of its free slots,
 * whose handlers never started. Its leases expire, another instance rescues and runs them: none is
 * lost, every supplied job runs exactly once, and only the jobs whose handlers were running when it
 * died (at most its slots) may have run twice (at least once, as the contract says).
 */
class KilledInstanceIT {

    private static final String KEY = "it-key-killed-instance-0123456789";
    private static final int JOBS = 3_000;
    private static final int SLOTS = 2;
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");

    @Test
    void jobsSuppliedToAKilledInstanceAreRescuedAndRunOnceEach() throws Exception {
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (StubServer stub = new StubServer()) {
            stub.withoutRecording().onBody("/work", (request, body) -> {
                Matcher n = N.matcher(body);
                if (n.find()) {
                    calls.computeIfAbsent(Integer.parseInt(n.group(1)), k -> new AtomicInteger()).incrementAndGet();
                }
                request.response().end("ok");
            });
            Map<String, String> env = Map.of(
                    "HARRIER_DB_URL", databaseUrl(),
                    "HARRIER_API_KEYS", "default:" + KEY,
                    "HARRIER_HTTP_ALLOWED_TARGETS", "127.0.0.1",
                    "HARRIER_WORKER_SLOTS", Integer.toString(SLOTS),
                    "HARRIER_WORKER_LEASE_DURATION", "3s",
                    "HARRIER_WORKER_HEARTBEAT_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_RESCUE_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_LEADER_TTL", "3s",
                    "HARRIER_RETRY_BASE", "100ms");

            long supplied;
            Map<Integer, Integer> calledBeforeTheKill;
            try (HarrierProcess dying = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "dying"))) {
                dying.awaitReady(Duration.ofSeconds(90));
                enqueue(dying, stub.url("/work"));
                await().atMost(Duration.ofSeconds(60)).until(() -> completed() >= JOBS / 10);
                // Frozen (SIGSTOP), the instance changes nothing, so what it holds can be read; it is
                // killed only at a moment when it holds more jobs than it has slots.
                supplied = 0;
                for (int tries = 0; supplied <= SLOTS; tries++) {
                    assertThat(tries).as("the instance never held a supply beyond its %d slots", SLOTS).isLessThan(200);
                    signal(dying, "STOP");
                    Thread.sleep(50);
                    supplied = TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running' AND lease_owner = 'dying'");
                    if (supplied <= SLOTS) {
                        signal(dying, "CONT");
                        Thread.sleep(5);
                    }
                }
                signal(dying, "KILL");
                dying.awaitExit(Duration.ofSeconds(10));
                calledBeforeTheKill = calls.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
            }
            assertThat(completed()).as("the test needs jobs left for the survivor").isLessThan(JOBS);

            try (HarrierProcess survivor = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "survivor"))) {
                survivor.awaitReady(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(120)).until(() -> completed() == JOBS);
            }

            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE attempt > 1 AND error_type = 'lease_expired'"))
                    .as("the dead instance's jobs were rescued").isEqualTo(supplied);
            assertThat(IntStream.range(0, JOBS).filter(n -> !calls.containsKey(n)).boxed().toList()).as("jobs never run").isEmpty();
            var twice = calls.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).toList();
            assertThat(twice).as("only handlers running at the kill may run again").hasSizeLessThanOrEqualTo(SLOTS);
            assertThat(twice).as("and only those that had started").allMatch(calledBeforeTheKill::containsKey);
            assertThat(calls.values().stream().mapToInt(AtomicInteger::get).max().orElse(0)).isLessThanOrEqualTo(2);
            assertThat(TestDatabase.queryLong("""
                    SELECT count(*) FROM (SELECT job_id FROM harrier.job_events
                                          WHERE type = 'status' AND data ->> 'status' = 'completed'
                                          GROUP BY job_id HAVING count(*) <> 1) x"""))
                    .as("each job completed once").isZero();
        }
    }

    private static void enqueue(HarrierProcess harrier, String url) {
        String jobs = IntStream.range(0, JOBS)
                .mapToObj(n -> "{\"kind\": \"http\", \"args\": {\"url\": \"URL\", \"method\": \"POST\", \"body\": {\"n\": " + n + "}}}")
                .collect(Collectors.joining(",", "{\"jobs\": [", "]}"));
        given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                .body(jobs.replace("URL", url))
                .post(harrier.baseUrl() + "/api/v1/jobs/batch").then().statusCode(201);
    }

    private static long completed() {
        return TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'");
    }

    private static void signal(HarrierProcess harrier, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(harrier.pid())).inheritIO().start().waitFor();
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        var copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

    private static String databaseUrl() {
        DatabaseUrl db = TestDatabase.url();
        return "postgresql://" + (db.user() == null ? "" : db.user() + "@") + db.host() + ":" + db.port() + "/" + db.database();
    }
}
