package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.harrier.queue.Claim;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobIds;
import dev.harrier.queue.QueueHolds;
import dev.harrier.queue.QueueSettings;
import dev.harrier.time.Backoff;
import dev.harrier.time.Ticker;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How the producer sizes its claims; the claims themselves are JobClaimer's (tested on PostgreSQL elsewhere). */
class QueueProducerTest {

    private static final EngineSettings SETTINGS = new EngineSettings("test", 4, 1000, Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(5), 3, 1000,
            new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0), Map.of(), Duration.ofMillis(250), false, null);

    /** Answers each claim with as many jobs as asked, at once or when the test says, and remembers what was asked. */
    static final class EndlessQueue extends JobClaimer {
        final List<Integer> asked = new ArrayList<>();
        final ArrayDeque<Runnable> held = new ArrayDeque<>();
        boolean hold;

        EndlessQueue() {
            super(null, null, null, null);
        }

        @Override
        public Uni<Claim> claim(String workspace, String queue, int limit, String owner, Duration lease) {
            asked.add(limit);
            List<ClaimedJob> jobs = IntStream.range(0, limit)
                    .mapToObj(i -> new ClaimedJob(JobIds.next(), workspace, queue, "noop", "{}", 1, 3, null,
                            Instant.now(), Instant.now()))
                    .toList();
            if (!hold) {
                return Uni.createFrom().item(Claim.of(jobs));
            }
            return Uni.createFrom().emitter(emitter -> held.add(() -> emitter.complete(Claim.of(jobs))));
        }
    }

    /**
     * Holds every attempt it is given until the test returns its handler ({@link #returnOne}) or
     * ends it (its outcome written, {@link #endOne}), as a handler and its outcome would.
     */
    static final class HeldAttempts implements BiFunction<RunningJob, Runnable, Uni<Void>> {
        final List<RunningJob> started = new ArrayList<>();
        final ArrayDeque<Runnable> enders = new ArrayDeque<>();
        final ArrayDeque<Runnable> returners = new ArrayDeque<>();

        @Override
        public Uni<Void> apply(RunningJob attempt, Runnable handlerReturned) {
            started.add(attempt);
            returners.add(handlerReturned);
            return Uni.createFrom().emitter(emitter -> enders.add(() -> emitter.complete(null)));
        }

        /** The oldest attempt's handler returns; its outcome is not written yet. */
        void returnOne() {
            returners.poll().run();
        }

        /** The oldest attempt ends: its outcome was written. */
        void endOne() {
            enders.poll().run();
        }
    }

    /** Answers every claim with the one job {@code id}: a short claim, after which the producer waits for a wake-up. */
    private static JobClaimer oneJob(UUID id) {
        return new JobClaimer(null, null, null, null) {
            @Override
            public Uni<Claim> claim(String workspace, String queue, int limit, String owner, Duration lease) {
                return Uni.createFrom().item(Claim.of(List.of(new ClaimedJob(id, workspace, queue, "noop", "{}", 1, 3, null,
                        Instant.now(), Instant.now()))));
            }
        };
    }

    /** A producer of a queue with a concurrency of 2, four slots and {@code ahead} jobs claimed ahead of its permits. */
    private static QueueProducer limitedProducer(LimitedQueue claimer, BiFunction<RunningJob, Runnable, Uni<Void>> execution,
                                                 Executor later, int ahead) {
        return new QueueProducer(new QueueSettings("w", "q", false, 2), claimer, claimer.holds, SETTINGS, execution, later,
                Ticker.SYSTEM, new SupplySize(ahead) {
                    @Override
                    int target() {
                        return ahead;
                    }
                });
    }

    /** A producer of an unlimited queue with four slots and no supply. */
    private static QueueProducer producer(JobClaimer claimer, BiFunction<RunningJob, Runnable, Uni<Void>> execution,
                                          Executor later) {
        return new QueueProducer(new QueueSettings("w", "q", false, null), claimer, null, SETTINGS, execution, later,
                Ticker.SYSTEM, new SupplySize(0));
    }

        private static void runAll(ArrayDeque<Runnable> tasks) {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    @Test
    void slotsFreedInOneTurnAreClaimedTogether() {
        EndlessQueue claimer = new EndlessQueue();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = producer(claimer, attempts, laterTasks::add);

        producer.wake();
        assertThat(claimer.asked).containsExactly(4);
        assertThat(producer.running()).isEqualTo(4);

        // The outcomes of one batch statement free all four slots in one event-loop turn.
        for (int i = 0; i < 4; i++) {
            attempts.endOne();
        }
        assertThat(claimer.asked).as("nothing is claimed during the turn").containsExactly(4);
        runAll(laterTasks);
        assertThat(claimer.asked).as("one claim for the four freed slots, not one of 1 and one of 3")
                .containsExactly(4, 4);
        assertThat(attempts.started).hasSize(8);
        assertThat(producer.attempts()).as("the producer holds the attempts that have not ended")
                .containsExactlyInAnyOrderElementsOf(attempts.started.subList(4, 8));
        assertThat(producer.startedCount()).isEqualTo(8);
    }

    @Test
    void slotsFreedWhileAClaimIsInFlightAreClaimedWhenItReturns() {
        EndlessQueue claimer = new EndlessQueue();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = producer(claimer, attempts, laterTasks::add);
        producer.wake();
        claimer.hold = true;

        attempts.endOne();
        attempts.endOne();
        runAll(laterTasks);
        assertThat(claimer.asked).containsExactly(4, 2);

        // Two more slots free while that claim is in flight: only one claim at a time.
        attempts.endOne();
        attempts.endOne();
        runAll(laterTasks);
        assertThat(claimer.asked).containsExactly(4, 2);

        claimer.hold = false;
        runAll(claimer.held);
        assertThat(claimer.asked).as("the full claim's return claims the slots freed meanwhile").containsExactly(4, 2, 2);
        assertThat(producer.running()).isEqualTo(4);
    }

    @Test
    void jobsOfAClaimThatReturnsAfterTheStopAreHandedBackAtOnce() {
        EndlessQueue claimer = new EndlessQueue();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = producer(claimer, attempts, new ArrayDeque<Runnable>()::add);
        claimer.hold = true;
        producer.wake();

        producer.stop();
        runAll(claimer.held);

        assertThat(attempts.started).hasSize(4).allSatisfy(attempt ->
                assertThat(attempt.reason()).isEqualTo(RunningJob.StopReason.SHUTDOWN));
        producer.stopAll(RunningJob.StopReason.CANCELLED);
        assertThat(attempts.started).as("the first reason stays").allSatisfy(attempt ->
                assertThat(attempt.reason()).isEqualTo(RunningJob.StopReason.SHUTDOWN));
        producer.wake();
        assertThat(claimer.asked).as("no claim after the stop").containsExactly(4);
    }

    @Test
    void aClaimInFlightKeepsTheProducerBusyAndItsJobsUntilTheyEnd() {
        EndlessQueue claimer = new EndlessQueue();
        HeldAttempts attempts = new HeldAttempts();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        QueueProducer producer = producer(claimer, attempts, laterTasks::add);
        assertThat(producer.busy()).isFalse();
        claimer.hold = true;
        producer.wake();

        producer.stop();
        assertThat(producer.attempts()).isEmpty();
        assertThat(producer.busy()).as("a claim in flight: its jobs are not handed back yet").isTrue();

        runAll(claimer.held);
        for (int i = 0; i < 3; i++) {
            attempts.endOne();
        }
        assertThat(producer.busy()).as("one attempt still runs").isTrue();
        attempts.endOne();
        runAll(laterTasks);
        assertThat(producer.busy()).isFalse();
    }

    @Test
    void anExecutionThatThrowsStillEndsItsAttemptAndFreesItsSlot() {
        UUID id = JobIds.next();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        QueueProducer producer = producer(oneJob(id), (attempt, handlerReturned) -> {
                    throw new IllegalStateException("a bug before the Uni");
                }, laterTasks::add);

        producer.wake();

        assertThat(producer.startedCount()).isEqualTo(1);
        assertThat(producer.attempts()).isEmpty();
        assertThat(producer.running()).isZero();
        assertThat(producer.busy()).isFalse();
    }

    @Test
    void anAttemptThatEndsAfterItsJobWasClaimedAgainLeavesTheNewAttemptInPlace() {
        UUID id = JobIds.next();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = producer(oneJob(id), attempts, new ArrayDeque<Runnable>()::add);
        producer.wake();
        // Its lease was lost and the job rescued; this instance claims it again before the first attempt ended.
        producer.wake();
        assertThat(attempts.started).hasSize(2);

        attempts.endOne();

        assertThat(producer.attempt(id)).as("the second attempt still runs").isSameAs(attempts.started.get(1));
    }

    /**
     * A queue with a concurrency limit and {@code pending} jobs waiting, claimed by one instance as
     * the database would (harrier.hold_queue): permits up to the limit while jobs are pending, never
     * fewer than the handlers in use; {@code share} is what the instance's share is said to be.
     */
    static final class LimitedQueue extends JobClaimer {
        final List<Integer> asked = new ArrayList<>();
        final List<Integer> needs = new ArrayList<>();
        final int limit;
        int pending;
        int share;
        final List<String> released = new ArrayList<>();
        // While set, a hold statement stays in flight until the test answers it.
        boolean holdsInFlight;
        final ArrayDeque<Runnable> inFlight = new ArrayDeque<>();
        final QueueHolds holds = new QueueHolds(null, null) {
            @Override
            public Uni<QueueHolds.Held> hold(String workspace, String queue, String owner, Duration lease, QueueHolds.Ask ask) {
                needs.add(ask.need());
                QueueHolds.Held answer = granted(ask);
                return holdsInFlight
                        ? Uni.createFrom().emitter(emitter -> inFlight.add(() -> emitter.complete(answer)))
                        : Uni.createFrom().item(answer);
            }

            @Override
            public Uni<Void> release(String workspace, String queue, String owner) {
                released.add(owner);
                return Uni.createFrom().voidItem();
            }
        };

        LimitedQueue(int limit, int pending) {
            super(null, null, null, null);
            this.limit = limit;
            this.pending = pending;
            this.share = limit;
        }

        private QueueHolds.Held granted(QueueHolds.Ask ask) {
            int wanted = pending > 0 ? ask.need() : Math.min(ask.need(), ask.inUse() + ask.supplied());
            return new QueueHolds.Held(Math.max(ask.inUse(), Math.min(Math.min(wanted, limit), share)), share);
        }

        @Override
        public Uni<Claim> claim(String workspace, String queue, int limit, String owner, Duration lease) {
            // The queue lost its limit (no job is left to find in these tests then).
            asked.add(limit);
            return Uni.createFrom().item(new Claim(List.of(), false, null));
        }

        @Override
        public Uni<Claim> claimHeld(String workspace, String queue, int wanted, String owner, Duration lease, QueueHolds.Ask ask) {
            asked.add(wanted);
            QueueHolds.Held held = granted(ask);
            int room = held.granted() > 0
                    ? Math.min(wanted, Math.max(0, held.granted() - ask.inUse() + ask.ahead() - ask.supplied())) : 0;
            boolean wereWaiting = pending > 0;
            List<ClaimedJob> jobs = IntStream.range(0, Math.min(room, pending))
                    .mapToObj(i -> new ClaimedJob(JobIds.next(), workspace, queue, "noop", "{}", 1, 3, null,
                            Instant.now(), Instant.now()))
                    .toList();
            pending -= jobs.size();
            return Uni.createFrom().item(new Claim(jobs, room < wanted && jobs.size() == room && (room > 0 || wereWaiting), held));
        }
    }

    @Test
    void aClaimStoppedByThePermitsIsFollowedByAnotherWhenAHandlerReturnsAndAnEmptyQueueHandsThemBack() {
        LimitedQueue claimer = new LimitedQueue(2, 3);
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = limitedProducer(claimer, attempts, laterTasks::add, 0);

        producer.wake();
        assertThat(claimer.asked).as("room for four here, two permits granted").containsExactly(4);
        assertThat(producer.running()).isEqualTo(2);

        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("a handler returned: its permit claims at once, no poll, its outcome not written yet")
                .containsExactly(4, 1);
        assertThat(producer.running()).isEqualTo(2);

        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("claimed again, and found the queue empty (that claim kept one permit)")
                .containsExactly(4, 1, 1);
        assertThat(claimer.needs).isEmpty();
        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("an empty queue is not claimed from until a wake-up").containsExactly(4, 1, 1);
        assertThat(claimer.needs).as("nothing runs: every permit handed back").containsExactly(0);
        assertThat(producer.running()).isZero();
    }

    @Test
    void aLimitedQueueClaimsAheadOfItsPermitsButRunsNoMoreHandlersThanItHolds() {
        LimitedQueue claimer = new LimitedQueue(2, 10);
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = limitedProducer(claimer, attempts, laterTasks::add, 3);
        producer.wake();
        runAll(laterTasks);
        assertThat(claimer.asked).as("four slots and three ahead; the permits leave two and three ahead").containsExactly(7);
        assertThat(producer.running()).as("two permits").isEqualTo(2);
        assertThat(producer.supplied()).isEqualTo(3);

        attempts.returnOne();
        runAll(laterTasks);
        assertThat(producer.running()).as("the freed permit took a supplied job").isEqualTo(2);
        assertThat(producer.supplied()).isEqualTo(3);
        assertThat(claimer.asked).as("and one more was claimed to keep three ahead").containsExactly(7, 1);
    }

    @Test
    void aHoldRenewedWhileTheQueueLostItsLimitGoesBackWhenItsAnswerComes() {
        Draining draining = drainingAtTheLimit();

        draining.claimer().holdsInFlight = true;
        draining.producer().renewHold();
        draining.producer().update(new QueueSettings("w", "q", false, null));
        assertThat(draining.claimer().released).as("the limit is gone: the hold goes back at once").hasSize(1);

        // The renewal committed after that release, writing the hold again.
        runAll(draining.claimer().inFlight);
        assertThat(draining.claimer().released).as("so its answer hands it back again").hasSize(2);
    }

    @Test
    void permitsAboveTheShareAreHandedBackAsTheirHandlersReturn() {
        Draining draining = drainingAtTheLimit();

        draining.claimer().share = 1;
        draining.producer().renewHold();
        assertThat(draining.claimer().needs).as("renewed while it drains: all it could use").containsExactly(2);
        draining.attempts().returnOne();
        runAll(draining.later());
        assertThat(draining.producer().running()).as("another instance waits: the freed permit is not used again").isEqualTo(1);
        assertThat(draining.claimer().needs).as("it is handed back").containsExactly(2, 1);
    }

    /** A queue limited to 2 with ten jobs pending, whose producer holds both permits and runs two handlers. */
    private record Draining(LimitedQueue claimer, ArrayDeque<Runnable> later, HeldAttempts attempts, QueueProducer producer) {
    }

    private static Draining drainingAtTheLimit() {
        LimitedQueue claimer = new LimitedQueue(2, 10);
        ArrayDeque<Runnable> later = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = limitedProducer(claimer, attempts, later::add, 0);
        producer.wake();
        assertThat(producer.running()).isEqualTo(2);
        return new Draining(claimer, later, attempts, producer);
    }

    @Test
    void aSlotIsFreeWhenTheHandlerReturnsAndABacklogThatFillsTheOutcomeStatementsHoldsNewClaimsBack() {
        EndlessQueue claimer = new EndlessQueue();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        // Four slots, outcome batches of three, two statements in flight: a backlog of six outcomes holds claims back.
        EngineSettings batchesOfThree = new EngineSettings("test", 4, 1000, Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(5), 3, 3,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0), Map.of(), Duration.ofMillis(250), false, null);
        QueueProducer producer = new QueueProducer(new QueueSettings("w", "q", false, null), claimer, null, batchesOfThree,
                attempts, laterTasks::add, Ticker.SYSTEM, new SupplySize(0));
        producer.wake();
        assertThat(claimer.asked).containsExactly(4);

        attempts.returnOne();
        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("two handlers returned: their slots are claimed before their outcomes are written")
                .containsExactly(4, 2);
        assertThat(producer.running()).isEqualTo(4);
        assertThat(producer.attempts()).as("the two whose outcome is not written are still held").hasSize(6);

        attempts.returnOne();
        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("four outcomes wait, a full batch and one more: the second statement takes them, claimed again")
                .containsExactly(4, 2, 2);

        attempts.returnOne();
        attempts.returnOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("six outcomes wait to be written, two full batches: no claim until one is")
                .containsExactly(4, 2, 2);
        assertThat(producer.running()).isEqualTo(2);

        attempts.endOne();
        runAll(laterTasks);
        assertThat(claimer.asked).as("one outcome written: the backlog is below two batches, the two free slots are claimed")
                .containsExactly(4, 2, 2, 2);
        assertThat(producer.running()).isEqualTo(4);
        assertThat(producer.busy()).isTrue();
    }

    @Test
    void aHandlerThatReturnsWhileTheEventLoopClosesStillHasItsOutcomeWritten() {
        EndlessQueue claimer = new EndlessQueue();
        HeldAttempts attempts = new HeldAttempts();
        QueueProducer producer = producer(claimer, attempts, task -> {
                    throw new RejectedExecutionException("event loop closed");
                });
        producer.wake();

        // Called from the pipeline that then writes the outcome: a throw here would skip the write.
        assertThatCode(attempts::returnOne).doesNotThrowAnyException();
        assertThat(producer.running()).isEqualTo(3);
        assertThatCode(attempts::endOne).doesNotThrowAnyException();
        assertThat(producer.attempts()).hasSize(3);
    }

    @Test
    void jobsClaimedAheadWaitForASlotAndAreHandedBackAtOnceOnStop() {
        EndlessQueue claimer = new EndlessQueue();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        SupplySize fourAhead = new SupplySize(4) {
            @Override
            int target() {
                return 4;
            }
        };
        QueueProducer producer = new QueueProducer(new QueueSettings("w", "q", false, null), claimer, null, SETTINGS,
                attempts, laterTasks::add, Ticker.SYSTEM, fourAhead);

        producer.wake();
        assertThat(claimer.asked).as("four slots and four ahead").containsExactly(8);
        assertThat(attempts.started).as("as many started as there are slots").hasSize(4);
        assertThat(producer.supplied()).isEqualTo(4);
        assertThat(producer.attempts()).as("the supplied are held too: their leases are renewed").hasSize(8);

        attempts.returnOne();
        runAll(laterTasks);
        assertThat(attempts.started).as("the freed slot takes a supplied job, without a claim").hasSize(5);
        assertThat(attempts.started.get(4).reason()).isNull();
        assertThat(claimer.asked).as("then one claim tops the supply up").containsExactly(8, 1);

        producer.stop();
        runAll(laterTasks);
        assertThat(producer.supplied()).isZero();
        assertThat(attempts.started).as("the supply is started at once, stopped, to be handed back").hasSize(9)
                .last().satisfies(attempt -> assertThat(attempt.reason()).isEqualTo(RunningJob.StopReason.SHUTDOWN));
    }

    @Test
    void aSuppliedJobWhoseLeaseMayHaveLapsedDoesNotRunItsHandler() {
        EndlessQueue claimer = new EndlessQueue();
        ArrayDeque<Runnable> laterTasks = new ArrayDeque<>();
        HeldAttempts attempts = new HeldAttempts();
        AtomicLong now = new AtomicLong();
        SupplySize oneAhead = new SupplySize(1) {
            @Override
            int target() {
                return 1;
            }
        };
        QueueProducer producer = new QueueProducer(new QueueSettings("w", "q", false, null), claimer, null, SETTINGS,
                attempts, laterTasks::add, now::get, oneAhead);
        producer.wake();
        assertThat(producer.supplied()).isEqualTo(1);

        // Its lease (30 s) was never renewed: the heartbeat failed all along.
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        attempts.returnOne();
        runAll(laterTasks);

        assertThat(attempts.started.get(4).reason()).isEqualTo(RunningJob.StopReason.LEASE_LOST);
        assertThat(attempts.started.get(0).reason()).as("a job that started in time runs on").isNull();
    }
}
