package dev.harrier.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.ExampleProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 002 as {@code examples/run.sh 002} starts it: an API-only service, and the pending
 * applications processed by {@code run-once.sh} (what a platform's cron runs): its JSON statistics,
 * the board's shared rate limit respected, the board's 503 retried with backoff by the next run.
 */
class ApplyRunOnceExampleIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void clean() {
        TestDatabase.cleanIfMigrated();
    }

    /** Runs run-once.sh as the cron would and returns its one line of JSON. */
    private static JsonNode runOnce(ExampleProcess example) throws IOException, InterruptedException {
        Path out = Files.createTempFile("run-once", ".json");
        Path err = Files.createTempFile("run-once", ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", "examples/002-apply-run-once/run-once.sh")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HARRIER_") || k.startsWith("QUARKUS_"));
        builder.environment().putAll(Map.of("HARRIER_DB_URL", TestDatabase.serviceUrl(),
                "HARRIER_JAR", System.getProperty("runner.jar", "target/quarkus-app/quarkus-run.jar"),
                "JAVA", ProcessHandle.current().info().command().orElse("java"), "MAX_SECONDS", "120",
                "EXAMPLE_STUB_PORT", example.stub(0).replaceAll(".*:", "")));
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(stderr).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("one JSON line on standard output; stderr:\n" + stderr).hasSize(1);
        return JSON.readTree(lines.get(0));
    }

    @Test
    void runOnceAppliesEveryPendingApplicationWithinTheBoardsLimitAndRetriesTheBusyOne() throws Exception {
        try (ExampleProcess example = ExampleProcess.start("002", 2, Map.of("BACKOFF_BASE_SECONDS", "2"))) {
            JsonNode first = runOnce(example);
            assertThat(first.path("failed").asInt()).as(first.toString()).isZero();
            assertThat(first.path("retrying").asInt()).as("the board's 503 waits for its backoff").isEqualTo(1);
            JsonPath app = example.state(0);
            assertThat(app.getString("applications.app-1.status")).isEqualTo("applied");
            assertThat(app.getString("applications.app-1.artifacts.confirmation")).isEqualTo("BRD-app-1-1");

            // The busy application's retry comes due 2 s after its 503: within the first run if that one lasted
            // long enough, else in a later one (as the next cron tick would).
            int completed = first.path("byKind").path("http").path("completed").asInt();
            for (int run = 0; run < 4 && !"applied".equals(example.state(0).getString("applications.app-3.status")); run++) {
                Thread.sleep(2_500);
                JsonNode later = runOnce(example);
                assertThat(later.path("failed").asInt()).as(later.toString()).isZero();
                completed += later.path("byKind").path("http").path("completed").asInt();
            }
            assertThat(completed).as("6 submissions and their 6 results, each run once").isEqualTo(12);
            JsonPath after = example.state(0);
            for (int n = 1; n <= 6; n++) {
                assertThat(after.getString("applications.app-" + n + ".status")).isEqualTo("applied");
            }
            assertThat(after.getString("applications.app-3.artifacts.confirmation")).isEqualTo("BRD-app-3-2");

            // The board's limit, 2 a second shared by every submission: no second saw more than 2 + 1 (the burst bound).
            List<Integer> arrivals = example.state(1).getList("arrivalsMs", Integer.class);
            assertThat(arrivals).hasSize(7);
            for (int i = 0; i + 3 < arrivals.size(); i++) {
                assertThat(arrivals.get(i + 3) - arrivals.get(i)).as("four submissions within a second").isGreaterThanOrEqualTo(990);
            }
            String run = example.api().get("/api/v1/jobs?schedule=apply-pending").then().statusCode(200).extract().path("jobs[0].status");
            assertThat(run).isEqualTo("completed");
        }
    }
}
