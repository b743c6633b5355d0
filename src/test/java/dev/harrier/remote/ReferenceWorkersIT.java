package dev.harrier.remote;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.boot.DatabaseUrl;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.specification.RequestSpecification;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two reference workers of examples/workers, each started as a process of its own against the
 * packaged service: each drains 1,000 jobs with progress, and stops a job whose cancel was asked.
 */
class ReferenceWorkersIT {

    private static final String KEY = "it-remote-key-0123456789";
    private static final int JOBS = 1_000;
    private static final Path EXAMPLES = Path.of("examples", "workers");
    private static HarrierProcess harrier;

    @BeforeAll
    static void start() throws IOException {
        DatabaseUrl db = TestDatabase.url();
        String url = "postgresql://" + (db.user() == null ? "" : db.user() + "@") + db.host() + ":" + db.port() + "/" + db.database();
        harrier = HarrierProcess.start(Map.of("HARRIER_DB_URL", url, "HARRIER_API_KEYS", "default:" + KEY));
        harrier.awaitReady(Duration.ofSeconds(60));
        TestDatabase.clean();
        api().body("""
                {"argsSchema": {"type": "object", "properties": {"steps": {"type": "integer", "minimum": 1},
                                "stepSeconds": {"type": "number"}}, "additionalProperties": false}}""")
                .put(harrier.baseUrl() + "/api/v1/kinds/demo").then().statusCode(201);
    }

    @AfterAll
    static void stop() {
        if (harrier != null) {
            harrier.close();
            TestDatabase.clean(); // the next test of this database starts from no jobs
        }
    }

    @BeforeEach
    void clean() {
        TestDatabase.execute("DELETE FROM harrier.job_events; DELETE FROM harrier.job_items; DELETE FROM harrier.jobs");
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + KEY).contentType("application/json");
    }

    @Test
    void thePythonWorkerDrainsAThousandJobsWithProgressAndStopsACancelledOne() throws Exception {
        drainsAndStopsACancelledOne(List.of("python3", "worker.py"), EXAMPLES.resolve("python"), "py-");
    }

    @Test
    void theTypeScriptWorkerDrainsAThousandJobsWithProgressAndStopsACancelledOne() throws Exception {
        Path dir = EXAMPLES.resolve("typescript");
        run(dir, "npm", "ci", "--no-audit", "--no-fund");
        run(dir, "npx", "tsc", "-p", ".");
        drainsAndStopsACancelledOne(List.of("node", "dist/worker.js"), dir, "ts-");
    }

    private void drainsAndStopsACancelledOne(List<String> command, Path dir, String prefix) throws Exception {
        Path log = Files.createTempFile("worker", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("HARRIER_URL", harrier.baseUrl(), "HARRIER_API_KEY", KEY,
                "WORKER_CONCURRENCY", "8", "WORKER_HEARTBEAT_SECONDS", "1"));
        Process worker = builder.start();
        try {
            StringBuilder batch = new StringBuilder("{\"jobs\": [");
            for (int i = 0; i < JOBS; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"kind\": \"demo\", \"args\": {\"steps\": 2}}");
            }
            api().body(batch.append("]}").toString()).post(harrier.baseUrl() + "/api/v1/jobs/batch").then().statusCode(201);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(count("status = 'completed'"))
                            .as("completed; worker output:\n%s", Files.readString(log)).isEqualTo(JOBS));
            assertThat(count("progress_done = 2 AND progress_total = 2")).as("every job's last progress").isEqualTo(JOBS);
            assertThat(count("result->>'by' LIKE '" + prefix + "%' AND (result->>'counted')::int = 2")).isEqualTo(JOBS);
            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'progress'"))
                    .as("progress events streamed").isGreaterThanOrEqualTo(JOBS);

            String slow = api().body("{\"kind\": \"demo\", \"args\": {\"steps\": 600, \"stepSeconds\": 0.1}}")
                    .post(harrier.baseUrl() + "/api/v1/jobs").then().statusCode(201).extract().path("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> "running".equals(status(slow)));
            api().post(harrier.baseUrl() + "/api/v1/jobs/" + slow + "/cancel").then().statusCode(202);
            // Stopped by the worker on its next heartbeat (1 s), not left to the lease's expiry (30 s).
            await().atMost(Duration.ofSeconds(15)).until(() -> "cancelled".equals(status(slow)));
            assertThat(worker.isAlive()).as("the worker keeps serving").isTrue();
        } finally {
            worker.destroy();
            worker.waitFor(10, TimeUnit.SECONDS);
            worker.destroyForcibly();
        }
    }

    private static long count(String where) {
        return TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE kind = 'demo' AND " + where);
    }

    private static String status(String id) {
        return api().get(harrier.baseUrl() + "/api/v1/jobs/" + id).then().extract().path("status");
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/reference-workers-build.log"))).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s in time", String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as("%s (target/reference-workers-build.log)", String.join(" ", command)).isZero();
    }
}
