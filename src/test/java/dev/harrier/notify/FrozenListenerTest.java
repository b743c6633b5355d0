package dev.harrier.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.Management;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import dev.harrier.worker.Engine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listening connection whose backend freezes (SIGSTOP: what a hung server, a dead NAT entry or a
 * peer gone without a FIN look like from the client) is found by its round trip, reopened, and
 * reported by readiness meanwhile; nothing that happened while it was deaf is lost.
 */
@QuarkusTest
class FrozenListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    Notifier notifier;

    private final List<Long> frozen = new ArrayList<>();

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void thaw() throws Exception {
        harness.stopAll();
        for (long pid : frozen) {
            signal("CONT", pid);
            TestDatabase.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
        frozen.clear();
        await().atMost(WAIT).until(notifier::connected);
    }

    @Test
    void aFrozenWorkerListenerIsReopenedAndAJobEnqueuedWhileItWasDeafStillRuns() throws Exception {
        // With an hour between polls, only a notification (or the wake-up after a reconnect) starts a job.
        Engine engine = harness.start("deaf", b -> b.pollInterval(Duration.ofHours(1)));
        // The queue exists and has its producer: a new queue would be found by the queue refresh.
        harness.awaitStatus(harness.submit("noop", "{}").job().id(), JobStatus.COMPLETED, WAIT);
        long pid = notifierBackend();
        freeze(pid);

        UUID id = harness.submit("noop", "{}").job().id();
        await().atMost(WAIT).until(() -> !engine.listening());

        harness.awaitStatus(id, JobStatus.COMPLETED, WAIT);
        await().atMost(WAIT).until(engine::listening);
        assertThat(notifierBackend()).as("a new connection").isNotEqualTo(pid);
    }

    @Test
    void aFrozenStreamListenerMakesTheInstanceNotReadyUntilReopenedAndStreamsMissNothing() throws Exception {
        String id = harness.submit("noop", "{}").job().id().toString();
        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/jobs/" + id + "/events",
                Map.of("Authorization", "Bearer test-key-default"))) {
            assertThat(stream.next(WAIT).id()).isEqualTo("0");
            long pid = notifierBackend();
            freeze(pid);

            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() ->
                    Management.given().get("/q/health/ready").statusCode() == 503);
            harness.start("runner");
            harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);

            await().atMost(WAIT).until(() -> Management.given().get("/q/health/ready").statusCode() == 200);
            List<String> statuses = stream.untilEnd(WAIT).stream().filter(e -> e.name().equals("status"))
                    .map(SseClient.Event::id).toList();
            assertThat(statuses).as("every event after the snapshot, in order").containsExactly("1", "2");
        }
    }

    /** Asked on the connection itself: a reconnect may have left a closing one of the same name. */
    private long notifierBackend() {
        return notifier.query("SELECT pg_backend_pid()", WAIT).await().atMost(WAIT).iterator().next().getInteger(0);
    }

    private void freeze(long pid) throws Exception {
        assertThat(pid).as("the listening backend").isPositive();
        boolean local = TestDatabase.queryText("SELECT coalesce(host(inet_server_addr()), 'socket')")
                .matches("socket|127\\.0\\.0\\.1|::1");
        Assumptions.assumeTrue(local, "the test database runs on this machine (its backends can be signalled)");
        Assumptions.assumeTrue(signal("STOP", pid), "this user may signal the database's processes");
        frozen.add(pid);
    }

    private static boolean signal(String signal, long pid) throws Exception {
        return new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor() == 0;
    }
}
