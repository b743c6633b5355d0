package dev.harrier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The flow control of one workspace stream, against a subscriber that behaves as the SSE writer
 * does: it asks for one event at a time, and asks for the next from inside the delivery of one
 * when its write completes at once. The emitter fails on any event sent beyond what was asked for.
 */
class WorkspaceStreamTest {

    private static final long BOUND = 100_000;
    private static final String DOCUMENT = "{\"padding\": \"" + "x".repeat(20_000) + "\"}";

    /** A subscriber that can stop asking, as a reader whose socket is full. */
    private static final class Reader implements Flow.Subscriber<OutboundSseEvent> {
        final List<OutboundSseEvent> received = new ArrayList<>();
        final AtomicBoolean reading = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean completed = new AtomicBoolean();
        Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(OutboundSseEvent event) {
            received.add(event);
            if (reading.get()) {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            failure.set(t);
        }

        @Override
        public void onComplete() {
            completed.set(true);
        }

        void resume() {
            reading.set(true);
            subscription.request(1);
        }
    }

    private record Opened(WorkspaceStream stream, Reader reader, AtomicInteger hangUps, List<List<UUID>> reloads) {
    }

    private static Opened open(Duration stallAfter) {
        AtomicReference<WorkspaceStream> created = new AtomicReference<>();
        AtomicInteger hangUps = new AtomicInteger();
        List<List<UUID>> reloads = new ArrayList<>();
        WorkspaceStream.Loader loader = ids -> {
            reloads.add(List.copyOf(ids));
            Map<UUID, WorkspaceStream.Loaded> documents = new HashMap<>();
            ids.forEach(id -> documents.put(id, new WorkspaceStream.Loaded(9, DOCUMENT, true)));
            return Uni.createFrom().item(documents);
        };
        Multi<OutboundSseEvent> events = Multi.createFrom().emitter(emitter -> {
            WorkspaceStream stream = new WorkspaceStream("w", null, null, List.of(), Set.of("status", "counts"), emitter, BOUND, stallAfter, loader,
                    JobEventFormat.comment("connected", "0"), hangUps::incrementAndGet);
            created.set(stream);
            emitter.onRequest(stream::request);
            stream.request(emitter.requested());
        }, BackPressureStrategy.ERROR);
        Reader reader = new Reader();
        events.subscribe().withSubscriber(reader);
        return new Opened(created.get(), reader, hangUps, reloads);
    }

    @Test
    void aReaderThatAsksFromInsideADeliveryGetsNothingItDidNotAskFor() {
        Opened opened = open(Duration.ofMinutes(1));
        for (int i = 0; i < 200; i++) {
            opened.stream().offer(UUID.randomUUID(), 1, DOCUMENT, true);
        }
        assertThat(opened.reader().failure.get()).as("an event beyond the demand fails the ERROR emitter").isNull();
        assertThat(opened.reader().received).hasSize(201);
        assertThat(opened.stream().pendingBytes()).isZero();
    }

    @Test
    void aReaderThatStopsReadingHoldsNoMoreThanTheBoundAndGetsEveryChangeWhenItResumes() {
        Opened opened = open(Duration.ofMinutes(1));
        opened.reader().reading.set(false);
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            UUID job = UUID.randomUUID();
            jobs.add(job);
            opened.stream().offer(job, 1, DOCUMENT, true);
            assertThat(opened.stream().pendingBytes()).isLessThanOrEqualTo(BOUND);
        }
        assertThat(opened.reader().received).as("the connected comment, and the change it had asked for").hasSize(2);

        opened.reader().resume();

        assertThat(opened.reader().failure.get()).isNull();
        assertThat(opened.reader().received).hasSize(101);
        assertThat(opened.reloads().stream().mapToInt(List::size).sum())
                .as("documents stripped past the bound are read again, each once")
                .isEqualTo(99 - (int) (BOUND / DOCUMENT.length()));
        assertThat(opened.reloads()).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(1));
        assertThat(opened.stream().pendingBytes()).isZero();
    }

    @Test
    void aReaderThatAcceptsNothingForTheStallTimeIsHungUpOnAndReleasesEverything() throws Exception {
        Opened opened = open(Duration.ofMillis(50));
        opened.reader().reading.set(false);
        opened.stream().offer(UUID.randomUUID(), 1, DOCUMENT, true);
        opened.stream().offer(UUID.randomUUID(), 1, DOCUMENT, true);
        opened.stream().tick();
        assertThat(opened.hangUps().get()).as("not yet: the stall time has not passed").isZero();

        Thread.sleep(100);
        opened.stream().tick();

        assertThat(opened.hangUps().get()).isEqualTo(1);
        assertThat(opened.reader().completed.get()).isTrue();
        assertThat(opened.stream().pendingBytes()).isZero();
        opened.stream().offer(UUID.randomUUID(), 1, DOCUMENT, true);
        assertThat(opened.stream().pendingBytes()).as("a closed stream takes nothing more").isZero();
    }
}
