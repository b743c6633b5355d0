package dev.harrier.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An instance killed (SIGKILL) while it holds a local supply: jobs claimed ahead of its free slots,
 * whose handlers never started. Its leases expire, another instance rescues and runs them: none is
 * lost, every supplied job runs exactly once, and only jobs whose handlers had started when it died
 * (running, or returned with their outcome not yet written) may run twice: at least once, as the
 * contract says.
 */
class KilledInstanceIT {

    private static final String KEY = "it-key-killed-instance-0123456789";
    private static final int JOBS = 3_000;
    private static final int SLOTS = 2;
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");

    /**
     * {@code concurrency}: the queue's global limit (0: none). Under one, the instance claims ahead of
     * the permits it holds; once it is dead, its permits lapse with its lease and the survivor
     * holds them, while the dead instance's running jobs count against the limit until rescued.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void jobsSuppliedToAKilledInstanceAreRescuedAndRunOnceEach(int concurrency) throws Exception {
        TestDatabase.cleanIfMigrated();
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
                    "HARRIER_DB_URL", TestDatabase.serviceUrl(),
                    "HARRIER_API_KEYS", "default:" + KEY,
                    "HARRIER_HTTP_ALLOWED_TARGETS", "127.0.0.1",
                    "HARRIER_WORKER_SLOTS", Integer.toString(SLOTS),
                    "HARRIER_WORKER_LEASE_DURATION", "3s",
                    "HARRIER_WORKER_HEARTBEAT_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_RESCUE_INTERVAL", "1s",
                    "HARRIER_MAINTENANCE_LEADER_TTL", "3s",
                    "HARRIER_RETRY_BASE", "100ms");

            Set<Integer> held = new HashSet<>();
            Set<Integer> supplied = new HashSet<>();
            Map<Integer, Integer> calledBeforeTheKill = new HashMap<>();
            try (HarrierProcess dying = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "dying"))) {
                dying.awaitReady(Duration.ofSeconds(90));
                if (concurrency > 0) {
                    given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                            .body("{\"concurrency\": " + concurrency + "}")
                            .patch(dying.baseUrl() + "/api/v1/queues/default").then().statusCode(200);
                }
                enqueue(dying, stub.url("/work"));
                await().atMost(Duration.ofSeconds(60)).until(() -> completed() >= JOBS / 10);
                // Frozen (SIGSTOP), the instance changes nothing, and the requests it sent reach the
                // stub meanwhile, so what it holds can be read: it is killed only at a moment when it
                // holds jobs whose handlers never started (the local supply).
                for (int tries = 0; ; tries++) {
                    assertThat(tries).as("the instance never held a job it had not started").isLessThan(200);
                    signal(dying, "STOP");
                    Thread.sleep(100);
                    held.clear();
                    held.addAll(heldBy("dying"));
                    Map<Integer, Integer> called = snapshot(calls);
                    supplied.clear();
                    held.stream().filter(n -> !called.containsKey(n)).forEach(supplied::add);
                    if (!supplied.isEmpty()) {
                        break;
                    }
                    signal(dying, "CONT");
                    Thread.sleep(5);
                }
                signal(dying, "KILL");
                dying.awaitExit(Duration.ofSeconds(10));
                calledBeforeTheKill.putAll(snapshot(calls));
            }
            assertThat(completed()).as("the test needs jobs left for the survivor").isLessThan(JOBS);

            try (HarrierProcess survivor = HarrierProcess.start(with(env, "HARRIER_WORKER_INSTANCE_ID", "survivor"))) {
                survivor.awaitReady(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(120)).until(() -> completed() == JOBS);
            }

            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE attempt > 1 AND error_type = 'lease_expired'"))
                    .as("the dead instance's jobs were rescued").isEqualTo(held.size());
            assertThat(IntStream.range(0, JOBS).filter(n -> !calls.containsKey(n)).boxed().toList()).as("jobs never run").isEmpty();
            assertThat(supplied).as("every supplied job ran once, after the rescue").allMatch(n -> calls.get(n).get() == 1);
            var twice = calls.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).toList();
            // At least once: a job whose handler had run, but whose outcome was not written yet, runs again.
            assertThat(twice).as("only jobs held and started at the kill may run again")
                    .allMatch(n -> held.contains(n) && calledBeforeTheKill.containsKey(n));
            assertThat(calls.values().stream().mapToInt(AtomicInteger::get).max().orElse(0)).isLessThanOrEqualTo(2);
            assertThat(TestDatabase.queryLong("""
                    SELECT count(*) FROM (SELECT job_id FROM harrier.job_events
                                          WHERE type = 'status' AND data ->> 'status' = 'completed'
                                          GROUP BY job_id HAVING count(*) <> 1) x"""))
                    .as("each job completed once").isZero();
        }
    }

    private static Set<Integer> heldBy(String instance) {
        Set<Integer> held = new HashSet<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT (args -> 'body' ->> 'n')::int FROM harrier.jobs "
                     + "WHERE status = 'running' AND lease_owner = '" + instance + "'")) {
            while (rows.next()) {
                held.add(rows.getInt(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return held;
    }

    private static Map<Integer, Integer> snapshot(Map<Integer, AtomicInteger> calls) {
        return calls.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
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

}
