package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import dev.harrier.sql.Table;
import dev.harrier.testing.CommitModes;
import dev.harrier.testing.JobsChannel;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Enqueues on the pool commit without NOTIFY (whose lock would make them commit one at a time) and
 * are announced after their commit, many in one notification: every wake-up and announcement still
 * arrives, in fewer notifications than enqueues.
 */
@QuarkusTest
class EnqueueNoticesTest {

    private static final int ENQUEUES = 200;

    @Inject
    JobSubmitter submitter;

    @Inject
    Notifier notifier;

    @Inject
    Pool pool;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        await().atMost(Duration.ofSeconds(20)).until(notifier::connected);
    }

    @Test
    void concurrentEnqueuesAreAnnouncedAfterTheirCommitsInFewerNotifications() throws SQLException {
        Set<String> announced = ConcurrentHashMap.newKeySet();
        Runnable events = notifier.subscribe(Channel.EVENTS, payload -> {
            for (String ref : payload.split(",")) {
                if (ref.endsWith(":0")) {
                    announced.add(ref.substring(0, ref.length() - 2));
                }
            }
        });
        try (Connection listening = JobsChannel.listen()) {
            JobRequest request = new JobRequest("noop", "notices", JsonNodeFactory.instance.objectNode(), null, null,
                    null, null, null, null, null);
            List<UUID> ids = Uni.join().all(IntStream.range(0, ENQUEUES)
                            .mapToObj(i -> submitter.submit("default", List.of(request)))
                            .toList())
                    .andFailFast().await().atMost(Duration.ofSeconds(30))
                    .stream().map(results -> results.get(0).job().id()).toList();

            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> announced.contains(id.toString())));
            List<String> sent = new ArrayList<>();
            for (List<String> batch = JobsChannel.heard(listening); !batch.isEmpty(); batch = JobsChannel.heard(listening)) {
                sent.addAll(batch);
            }
            long wakeUps = sent.stream().filter(payload -> payload.startsWith("default/notices ")).count();
            assertThat(wakeUps).as("the queue is woken").isPositive();
            // In their own transactions, each enqueue sent its own wake-up: 200 of them.
            assertThat(wakeUps).as("wake-ups of many enqueues sent together").isLessThan(ENQUEUES);
        } finally {
            events.run();
        }
    }

    @Test
    void thisInstanceWakesItselfAtTheCommitAndDropsItsOwnWakeUpWhenItComesBack() throws Exception {
        List<String> delivered = new CopyOnWriteArrayList<>();
        // Only this test's queues: a wake-up of another queue (a promotion by the maintenance loop) is not its business.
        Runnable jobs = notifier.subscribe(Channel.JOBS, key -> {
            if (key.equals("default/mine") || key.equals("default/theirs")) {
                delivered.add(key);
            }
        });
        try (Connection listening = JobsChannel.listen()) {
            JobRequest request = new JobRequest("noop", "mine", JsonNodeFactory.instance.objectNode(), null, null,
                    null, null, null, null, null);
            submitter.submit("default", List.of(request)).await().atMost(Duration.ofSeconds(20));
            // Delivered here when the enqueue returns: before the wake-up was sent, let alone heard.
            assertThat(delivered).containsExactly("default/mine");

            // The wake-up was sent, naming this instance: the others read it; this one drops it.
            await().atMost(Duration.ofSeconds(20)).until(() -> JobsChannel.heard(listening).contains("default/mine " + notifier.origin()));
            TestDatabase.execute("SELECT pg_notify('harrier_jobs', 'default/theirs " + UUID.randomUUID() + "')");
            // Sent after this instance's own, so heard after it: another instance's wake-up comes through.
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered.contains("default/theirs"));
            assertThat(delivered).containsExactly("default/mine", "default/theirs");
        } finally {
            jobs.run();
        }
    }

    @Test
    void theNotificationsCommitWithoutWaitingForTheirFlushAndTheSessionWaitsAgainAfterThem() {
        // They write nothing durable.
        assertThat(CommitModes.duringAndAfter(pool, Table.JOBS.sql("notify_enqueued"),
                Tuple.of(new String[] {"default"}, new String[] {"default"}, new UUID[] {UUID.randomUUID()},
                        new Long[] {0L}, notifier.origin())))
                .containsExactly("off", "on");
    }
}
