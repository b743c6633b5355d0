package dev.harrier.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.notify.EventRef;
import dev.harrier.notify.ListenerConnections;
import dev.harrier.notify.PgListener;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ProgressEventsTest {

    @Inject
    EngineHarness harness;

    @Inject
    EventStore events;

    @Inject
    ListenerConnections connections;

    @Inject
    Vertx vertx;

    private PgListener listener;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
        if (listener != null) {
            listener.stop().await().indefinitely();
        }
    }

    @Test
    void tenThousandProgressReportsAreThrottledAndTheLastOneIsKept() {
        harness.start("solo");
        EnqueueResult enqueued = harness.submit("test-chatty", "{\"reports\": 10000}");

        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));

        List<JobEvent> all = events.after(enqueued.job().id(), 0, 1000).await().indefinitely();
        long progressEvents = all.stream().filter(e -> e.type().equals("progress")).count();
        assertThat(progressEvents).isBetween(1L, 10L);
        assertThat(done.progress().done()).isEqualTo(10_000L);
        assertThat(done.progress().total()).isEqualTo(10_000L);
        assertThat(done.progress().details()).isEqualTo("10000 of 10000");
        JobEvent lastProgress = all.stream().filter(e -> e.type().equals("progress")).reduce((a, b) -> b).orElseThrow();
        assertThat(lastProgress.dataJson()).contains("10000 of 10000");
        assertThat(all.get(all.size() - 1).type()).as("the status change comes after the last report and log line").isEqualTo("status");
        assertThat(all.get(all.size() - 1).dataJson()).contains("completed");
    }

    @Test
    void eventsHaveGaplessIncreasingSequenceNumbersPerJob() {
        harness.start("solo");
        EnqueueResult enqueued = harness.submit("test-chatty", "{\"reports\": 3}");
        harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));

        List<JobEvent> all = events.after(enqueued.job().id(), 0, 1000).await().indefinitely();

        assertThat(all).extracting(JobEvent::seq).containsExactly(
                LongStream.rangeClosed(1, all.size()).boxed().toArray(Long[]::new));
        assertThat(all).extracting(JobEvent::type).containsSubsequence("status", "log", "progress", "status");
        assertThat(harness.job(enqueued.job().id()).lastEventSeq()).isEqualTo(all.size());
    }

    @Test
    void everyEventIsAnnouncedWithNotifyForOtherInstances() {
        List<EventRef> heard = new CopyOnWriteArrayList<>();
        listener = new PgListener(vertx, connections.options(), "harrier-test", Duration.ofSeconds(5)).on("harrier_events", payload -> heard.addAll(EventRef.parse(payload)));
        listener.start().await().atMost(Duration.ofSeconds(10));
        harness.start("solo");

        EnqueueResult enqueued = harness.submit("test-chatty", "{\"reports\": 1}");
        harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(10));

        // The new job (0), its status changes, log lines and progress reports: each with its own number.
        long last = harness.job(enqueued.job().id()).lastEventSeq();
        assertThat(last).as("running, a log line, a progress report, completed").isGreaterThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(heard.stream()
                .filter(ref -> ref.jobId().equals(enqueued.job().id())).map(EventRef::seq).distinct().sorted())
                .containsExactly(LongStream.rangeClosed(0, last).boxed().toArray(Long[]::new)));
    }
}
