package dev.harrier.ops;

import static org.hamcrest.Matchers.containsString;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.Management;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricsTest {

    @Inject
    EngineHarness harness;

    @Inject
    QueueMetrics queueMetrics;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void queueDepthFinishedJobsAndRunAndWaitTimesAreExported() {
        harness.submit("noop", "{}");
        harness.submit("noop", "{}");
        queueMetrics.refreshOnce().await().indefinitely();

        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("harrier_queue_jobs{queue=\"default\",status=\"pending\",workspace=\"default\"} 2.0"))
                .body(containsString("harrier_queue_oldest_pending_age_seconds{queue=\"default\",workspace=\"default\"}"));

        harness.start("solo");
        var failed = harness.submit("test-fail", "{\"permanent\": true}");
        harness.awaitStatus(failed.job().id(), JobStatus.FAILED, Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") == 2);
        queueMetrics.refreshOnce().await().indefinitely();

        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("harrier_queue_jobs{queue=\"default\",status=\"pending\",workspace=\"default\"} 0.0"))
                .body(containsString("harrier_jobs_finished_total{kind=\"noop\",outcome=\"completed\"}"))
                .body(containsString("harrier_jobs_finished_total{kind=\"test-fail\",outcome=\"failed\"}"))
                .body(containsString("harrier_job_run_seconds_bucket{kind=\"noop\""))
                .body(containsString("harrier_job_wait_seconds_count{kind=\"noop\"}"));
    }
}
