package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.queue.JobRequest;
import dev.harrier.queue.QueueStore;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A limited queue's permits between instances (harrier.queue_holds): with an hour between polls,
 * only a freed permit, a hand-back's wake-up or a job's end can start the next job.
 */
@QuarkusTest
class QueuePermitsTest {

    @Inject
    EngineHarness harness;

    @Inject
    QueueStore queues;

    private final String run = UUID.randomUUID().toString();

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        queues.update("default", "narrow", false, true, 2).await().indefinitely();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private void hold(String key) {
        harness.submit(new JobRequest("test-hold", "narrow", harness.json("{\"key\": \"" + run + key + "\", \"holdAttempts\": 1}"),
                null, null, null, null, null, null, null));
    }

    private boolean started(String key) {
        return HoldHandler.STARTED.contains(run + key + "#1");
    }

    private static String ranOn(String key) {
        return TestDatabase.queryText("SELECT lease_owner FROM harrier.jobs WHERE args ->> 'key' LIKE '%" + key + "'");
    }

    private static long held(String instance) {
        return TestDatabase.queryLong("SELECT coalesce(sum(held), 0) FROM harrier.queue_holds WHERE instance = '" + instance + "'");
    }

    @Test
    void aPermitLetGoWhileAnotherInstanceWaitsReachesItWithoutAPoll() {
        harness.start("a", b -> b.pollInterval(Duration.ofHours(1)));
        hold("x1");
        hold("x2");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("x1") && started("x2"));
        assertThat(held("a")).as("both permits").isEqualTo(2);

        harness.start("b", b -> b.pollInterval(Duration.ofHours(1)));
        hold("y1");
        hold("y2");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                TestDatabase.queryLong("SELECT waiting FROM harrier.queue_holds WHERE instance = 'b'") == 2);
        assertThat(started("y1") || started("y2")).as("no permit free").isFalse();

        HoldHandler.release(run + "x1", "ok");
        // a's next claim learns that b waits: it keeps one permit, the other goes to b, woken for it.
        await().atMost(Duration.ofSeconds(10)).until(() -> started("y1"));
        assertThat(ranOn("y1")).isEqualTo("b");
        assertThat(started("y2")).as("a's other job still runs: two at once").isFalse();

        HoldHandler.release(run + "x2", "ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("y2"));
        HoldHandler.release(run + "y1", "ok");
        HoldHandler.release(run + "y2", "ok");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'completed'") == 4);
    }

    @Test
    void anInstanceWhoseQueueRanEmptyHandsItsPermitsBack() {
        harness.start("a", b -> b.pollInterval(Duration.ofHours(1)));
        hold("x1");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("x1"));
        // The claim asked for both while the job was pending; the one it does not use goes back.
        await().atMost(Duration.ofSeconds(10)).until(() -> held("a") == 1);

        HoldHandler.release(run + "x1", "ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong("SELECT count(*) FROM harrier.queue_holds") == 0);

        hold("y1");
        hold("y2");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("y1") && started("y2"));
        assertThat(held("a")).isEqualTo(2);
        HoldHandler.release(run + "y1", "ok");
        HoldHandler.release(run + "y2", "ok");
    }

    @Test
    void aQueueThatLosesItsLimitAndAnInstanceThatStopsHandTheirPermitsBack() {
        Engine a = harness.start("a", b -> b.pollInterval(Duration.ofHours(1)).shutdownGrace(Duration.ofMillis(200)));
        hold("x1");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("x1") && held("a") == 1);

        queues.update("default", "narrow", false, true, null).await().indefinitely();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong("SELECT count(*) FROM harrier.queue_holds") == 0);
        HoldHandler.release(run + "x1", "ok");

        queues.update("default", "narrow", false, true, 2).await().indefinitely();
        hold("y1");
        await().atMost(Duration.ofSeconds(10)).until(() -> started("y1") && held("a") == 1);
        harness.stop(a);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.queue_holds")).as("its hold went with it").isZero();
        assertThat(TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE args ->> 'key' LIKE '%y1'"))
                .as("its job handed back").isEqualTo("pending");
        HoldHandler.release(run + "y1", "ok");
    }
}
