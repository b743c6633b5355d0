package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.events.EventStore;
import dev.harrier.events.JobEvent;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import dev.harrier.time.Backoff;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EngineFailuresTest {

    @Inject
    EngineHarness harness;

    @Inject
    EventStore events;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void aFailingJobIsRetriedWithGrowingDelaysAndEndsFailedWithItsError() {
        harness.start("retrier", b -> b.maintenance(true).backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2.0)));
        EnqueueResult enqueued = harness.submit(new JobRequest("test-fail", null, harness.json("{}"), null, null,
                4, null, null, null, null));

        Job failed = harness.awaitStatus(enqueued.job().id(), JobStatus.FAILED, Duration.ofSeconds(30));

        assertThat(failed.attempt()).isEqualTo(4);
        assertThat(failed.error().message()).isEqualTo("boom on attempt 4");
        assertThat(failed.error().type()).isEqualTo("handler");
        assertThat(failed.error().attempt()).isEqualTo(4);
        assertThat(failed.finishedAt()).isNotNull();
        List<Long> delays = retryDelaysMillis(enqueued);
        assertThat(delays).hasSize(3);
        // Equal jitter with factor 2: attempt n waits between base*2^(n-1)/2 and base*2^(n-1). The
        // event's time is taken when the outcome is written, a little after the delay was chosen,
        // so each measured delay may be short by that write's wait (allowed up to 80 ms).
        assertThat(delays.get(0)).isBetween(20L, 210L);
        assertThat(delays.get(1)).isBetween(120L, 410L);
        assertThat(delays.get(2)).isBetween(320L, 810L);
        assertThat(delays).isSortedAccordingTo(Long::compare);
        List<String> logs = events.after(enqueued.job().id(), 0, 100).await().indefinitely().stream()
                .filter(e -> e.type().equals("log")).map(JobEvent::dataJson).toList();
        assertThat(logs).hasSize(4).allMatch(line -> line.contains("boom on attempt"));
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        harness.start("solo", b -> b.maintenance(true));
        EnqueueResult enqueued = harness.submit("test-fail", "{\"permanent\": true}");

        Job failed = harness.awaitStatus(enqueued.job().id(), JobStatus.FAILED, Duration.ofSeconds(10));

        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(failed.maxAttempts()).isEqualTo(5);
        assertThat(failed.error().type()).isEqualTo("handler");
        assertThat(failed.error().message()).isEqualTo("bad input, attempt 1");
    }

    @Test
    void anAttemptThatOutlivesItsTimeoutFailsAndItsPipelineIsCancelled() {
        harness.start("solo");
        EnqueueResult enqueued = harness.submit(new JobRequest("test-hold", null, harness.json("{\"key\": \"slow\", \"holdAttempts\": 9}"),
                null, null, 1, 1, null, null, null));

        Job failed = harness.awaitStatus(enqueued.job().id(), JobStatus.FAILED, Duration.ofSeconds(10));

        assertThat(failed.error().type()).isEqualTo("timeout");
        assertThat(failed.error().message()).contains("timed out after 1 s");
        assertThat(HoldHandler.SAW_CANCEL).contains("slow");
    }

    private List<Long> retryDelaysMillis(EnqueueResult enqueued) {
        List<Long> delays = new ArrayList<>();
        for (JobEvent event : events.after(enqueued.job().id(), 0, 100).await().indefinitely()) {
            JsonNode data = harness.json(event.dataJson());
            if (event.type().equals("status") && data.path("status").asText().equals("retrying")) {
                Instant runAt = Instant.parse(data.get("runAt").asText().replace(" ", "T"));
                delays.add(Duration.between(event.at(), runAt).toMillis());
            }
        }
        return delays;
    }
}
