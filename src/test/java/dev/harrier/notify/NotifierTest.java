package dev.harrier.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.Management;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import dev.harrier.worker.Engine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One LISTEN connection per instance, shared by the workers and the streams; killed, it is
 * reopened, readiness says so meanwhile, and what happened while it was down is caught up.
 */
@QuarkusTest
class NotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    Notifier notifier;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        await().atMost(WAIT).until(notifier::connected);
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private static long listeningConnections() {
        return TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'harrier-notify'");
    }

    @Test
    void anInstanceHoldsOneListeningConnectionWhateverRunsInIt() {
        harness.start("first-engine");
        harness.start("second-engine");
        assertThat(listeningConnections()).isEqualTo(1);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'harrier-%' "
                + "AND application_name <> 'harrier-notify'")).as("no listener of its own for an engine or the streams").isZero();
    }

    @Test
    void aKilledListeningConnectionIsReopenedAndWhatHappenedMeanwhileIsCaughtUp() throws Exception {
        // With an hour between polls, only a notification (or the catch-up after a reconnect) starts a job.
        Engine engine = harness.start("catching-up", b -> b.pollInterval(Duration.ofHours(1)));
        // Its queue has a producer already (a new queue's producer is woken by the queue refresh).
        harness.awaitStatus(harness.submit(new JobRequest("noop", "quiet", harness.json("{}"), null, null, null, null, null, null,
                null)).job().id(), JobStatus.COMPLETED, WAIT);
        // In a queue of its own: its end frees a slot of that queue only, which claims nothing.
        String held = harness.submit(new JobRequest("test-hold", "held", harness.json("{\"key\": \"across-a-reconnect\", "
                + "\"holdAttempts\": 1}"), null, null, null, null, null, null, null)).job().id().toString();
        harness.awaitStatus(UUID.fromString(held), JobStatus.RUNNING, WAIT);

        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/jobs/" + held + "/events",
                Map.of("Authorization", "Bearer test-key-default"))) {
            assertThat(stream.next(WAIT).id()).isEqualTo("1");
            // Killed, and killed again at every reconnect for a while: the notifications of the enqueue
            // and of the completion below find no connection that listens (each reconnect in between
            // runs the catch-up, as the last one does).
            AtomicBoolean killing = new AtomicBoolean(true);
            Thread killer = Thread.ofVirtual().start(() -> {
                while (killing.get()) {
                    TestDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'harrier-notify'");
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            await().atMost(WAIT).until(() -> !notifier.connected());
            UUID enqueuedWhileDown = harness.submit(new JobRequest("noop", "quiet", harness.json("{}"), null, null, null, null,
                    null, null, null)).job().id();
            HoldHandler.release("across-a-reconnect", "done while deaf");
            harness.awaitStatus(UUID.fromString(held), JobStatus.COMPLETED, WAIT);
            Thread.sleep(500);
            killing.set(false);
            killer.join();

            await().atMost(WAIT).until(notifier::connected);
            harness.awaitStatus(enqueuedWhileDown, JobStatus.COMPLETED, WAIT);
            assertThat(engine.listening()).isTrue();
            List<String> rest = stream.untilEnd(WAIT).stream().filter(e -> e.name().equals("status")).map(SseClient.Event::id).toList();
            assertThat(rest).as("the stream opened before the kill gets every later event").containsExactly("2");
        }
        assertThat(listeningConnections()).isEqualTo(1);
        Management.given().get("/q/health/ready").then().statusCode(200);
    }
}
