package dev.harrier.runonce;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code run-once} as a platform's cron runs it: the packaged jar as a process, next to an
 * API-only service that enqueues (and runs nothing). Its one JSON line on standard output, logs
 * on standard error, the exit statuses 0, 2 and 3, {@code --queue}, {@code --max-seconds} and the
 * hand-back that burns no attempt.
 */
class RunOnceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "run-once-it-key";
    private static HarrierProcess api;

    @BeforeAll
    static void startApi() throws Exception {
        TestDatabase.cleanIfMigrated();
        api = HarrierProcess.start(Map.of("HARRIER_DB_URL", TestDatabase.serviceUrl(), "HARRIER_API_KEYS", "default:" + KEY,
                "HARRIER_WORKER_ENABLED", "false", "HARRIER_MAINTENANCE_ENABLED", "false", "HARRIER_SCHEDULE_ENABLED", "false"));
        api.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopApi() throws Exception {
        api.stop(Duration.ofSeconds(30));
    }

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private static RequestSpecification call() {
        return given().baseUri(api.baseUrl()).header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON);
    }

    private static String enqueue(String body) {
        return call().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    /** A finished run: exit status, standard output, standard error. */
    record Run(int status, String out, String err) {
        JsonNode json() throws IOException {
            List<String> lines = out.lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).as("one JSON line on standard output, nothing else; stderr:\n" + err).hasSize(1);
            return JSON.readTree(lines.get(0));
        }
    }

    private static Process start(Map<String, String> env, Path out, Path err, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", System.getProperty("runner.jar", "target/quarkus-app/quarkus-run.jar"),
                "run-once"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HARRIER_") || k.startsWith("QUARKUS_"));
        builder.environment().put("HARRIER_DB_URL", TestDatabase.serviceUrl());
        builder.environment().put("HARRIER_API_KEYS", "default:" + KEY);
        builder.environment().put("HARRIER_HTTP_ALLOW_PRIVATE_NETWORKS", "true");
        builder.environment().putAll(env);
        return builder.start();
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile("run-once", ".out");
        Path err = Files.createTempFile("run-once", ".err");
        Process process = start(env, out, err, args);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("run-once exits by itself").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void itRunsTheDueJobsOfItsQueuesRescuesAndFiresSchedulesThenPrintsItsTally() throws Exception {
        for (int i = 0; i < 20; i++) {
            enqueue("{\"kind\": \"noop\", \"queue\": \"apply\"}");
        }
        enqueue("{\"kind\": \"noop\", \"queue\": \"other\"}");
        // Nothing listens on port 1: fails on its only attempt.
        enqueue("{\"kind\": \"http\", \"queue\": \"apply\", \"maxAttempts\": 1, \"args\": {\"url\": \"http://127.0.0.1:1/\"}}");
        // Fails and is retried in an hour: counted as retrying, not waited for.
        enqueue("{\"kind\": \"http\", \"queue\": \"apply\", \"maxAttempts\": 3, \"args\": {\"url\": \"http://127.0.0.1:1/\"}, "
                + "\"backoff\": {\"baseSeconds\": 3600, \"factor\": 2, \"maxSeconds\": 3600, \"jitter\": 0}}");
        // A job whose instance died holding it: rescued, then run.
        String orphan = enqueue("{\"kind\": \"noop\", \"queue\": \"apply\"}");
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'running', attempt = 1, lease_owner = 'dead', "
                + "lease_expires_at = now() - interval '1 minute', started_at = now() - interval '2 minutes' WHERE id = '" + orphan + "'");
        // A schedule that is due: fired by run-once itself. Yearly, so that no second fire comes due while it
        // runs (an every-minute one fired again when the run crossed a minute).
        call().body("{\"cron\": \"0 3 1 1 *\", \"job\": {\"kind\": \"noop\", \"queue\": \"apply\"}}").put("/api/v1/schedules/due-once")
                .then().statusCode(201);
        TestDatabase.execute("UPDATE harrier.schedules SET next_fire_at = now() - interval '5 seconds'");

        Run run = run(Map.of(), "--queue", "apply");

        assertThat(run.status()).as(run.err()).isZero();
        JsonNode tally = run.json();
        assertThat(tally.get("completed").asInt()).isEqualTo(22);
        assertThat(tally.get("failed").asInt()).isEqualTo(1);
        assertThat(tally.get("retrying").asInt()).isEqualTo(1);
        assertThat(tally.get("processed").asInt()).isEqualTo(24);
        assertThat(tally.at("/byKind/noop/completed").asInt()).isEqualTo(22);
        assertThat(tally.at("/byKind/http/failed").asInt()).isEqualTo(1);
        assertThat(tally.get("durationMs").asLong()).isPositive();
        assertThat(run.err()).contains("run-once: running the due jobs of apply");
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE queue = 'other'")).isEqualTo("pending");
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + orphan + "'")).isEqualTo("completed");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE schedule = 'due-once'")).isEqualTo(1);

        // Nothing left: a second run does nothing and says so.
        JsonNode again = run(Map.of(), "--queue", "apply").json();
        assertThat(again.get("processed").asInt()).isZero();
    }

    @Test
    void aJobThatWouldOutlastMaxSecondsIsNotStartedAndItsAttemptIsKept() throws Exception {
        String slow = enqueue("{\"kind\": \"noop\", \"queue\": \"slow\", \"timeoutSeconds\": 60, \"args\": {\"sleepMs\": 30000}}");
        Run run = run(Map.of(), "--queue", "slow", "--max-seconds", "5");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.json().get("processed").asInt()).isZero();
        assertThat(run.json().get("durationMs").asLong()).isLessThan(5000);
        assertThat(TestDatabase.queryText("SELECT status::text || ' ' || attempt FROM harrier.jobs WHERE id = '" + slow + "'"))
                .isEqualTo("pending 0");
    }

    @Test
    void sigtermHandsBackWhatRunsPrintsInterruptedAndExitsThree() throws Exception {
        String running = enqueue("{\"kind\": \"noop\", \"queue\": \"long\", \"timeoutSeconds\": 120, \"args\": {\"sleepMs\": 60000}}");
        Path out = Files.createTempFile("run-once", ".out");
        Path err = Files.createTempFile("run-once", ".err");
        Process process = start(Map.of(), out, err, "--queue", "long");
        await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(
                TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + running + "'")));
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        assertThat(run.status()).as(run.err()).isEqualTo(3);
        assertThat(run.json().get("interrupted").asBoolean()).isTrue();
        assertThat(run.json().get("processed").asInt()).isZero();
        assertThat(TestDatabase.queryText("SELECT status::text || ' ' || attempt FROM harrier.jobs WHERE id = '" + running + "'"))
                .as("handed back, the attempt not burned").isEqualTo("pending 0");
    }

    @Test
    void itExitsTwoWithOneLineWhenItCannotStart() throws Exception {
        Run badArgument = run(Map.of(), "--max-seconds", "soon");
        assertThat(badArgument.status()).isEqualTo(2);
        assertThat(badArgument.out()).isEmpty();
        assertThat(badArgument.err().strip()).startsWith("ERROR [harrier] run-once cannot start: --max-seconds")
                .doesNotContain("\n");

        Run noDatabase = run(Map.of("HARRIER_DB_URL", "postgresql://postgres@127.0.0.1:1/nowhere", "HARRIER_DB_CONNECT_WAIT_SECONDS", "0"));
        assertThat(noDatabase.status()).isEqualTo(2);
        assertThat(noDatabase.out()).isEmpty();
        assertThat(noDatabase.err()).contains("run-once cannot start");
    }
}
