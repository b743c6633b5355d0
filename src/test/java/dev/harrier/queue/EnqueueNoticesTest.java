package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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

    @BeforeEach
    void clean() {
        TestDatabase.clean();
        await().atMost(Duration.ofSeconds(20)).until(notifier::connected);
    }

    @Test
    void concurrentEnqueuesAreAnnouncedAfterTheirCommitsInFewerNotifications() {
        Set<String> announced = ConcurrentHashMap.newKeySet();
        AtomicInteger wakeUps = new AtomicInteger();
        Runnable events = notifier.subscribe(Channel.EVENTS, payload -> {
            for (String ref : payload.split(",")) {
                if (ref.endsWith(":0")) {
                    announced.add(ref.substring(0, ref.length() - 2));
                }
            }
        });
        Runnable jobs = notifier.subscribe(Channel.JOBS, payload -> {
            if (payload.equals("default/notices")) {
                wakeUps.incrementAndGet();
            }
        });
        try {
            JobRequest request = new JobRequest("noop", "notices", JsonNodeFactory.instance.objectNode(), null, null,
                    null, null, null, null, null);
            List<UUID> ids = Uni.join().all(IntStream.range(0, ENQUEUES)
                            .mapToObj(i -> submitter.submit("default", List.of(request)))
                            .toList())
                    .andFailFast().await().atMost(Duration.ofSeconds(30))
                    .stream().map(results -> results.get(0).job().id()).toList();

            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> announced.contains(id.toString())));
            assertThat(wakeUps.get()).as("the queue is woken").isPositive();
            // In their own transactions, each enqueue sent its own wake-up: 200 of them.
            assertThat(wakeUps.get()).as("wake-ups of many enqueues sent together").isLessThan(ENQUEUES);
        } finally {
            events.run();
            jobs.run();
        }
    }
}
