package dev.harrier.worker;

import dev.harrier.queue.Claim;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.QueueHolds;
import dev.harrier.queue.QueueSettings;
import dev.harrier.time.Ticker;
import dev.harrier.worker.RunningJob.StopReason;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * Claims the jobs of one queue for this instance: its free slots, and as many more as its handlers
 * finish during two claims' round trips ({@link SupplySize}), which wait in a local supply and take
 * the next slot that frees without waiting for a claim. A slot is taken while a job's handler
 * runs: it is free when the handler returns, and the outcome is written meanwhile with its
 * siblings' in the next batch; while as many outcomes wait to be written as the outcome statements
 * in flight hold ({@link OutcomeDelivery#STATEMENTS} full batches, or the slots when more), no
 * claim is made (why that bound, and not the slots or one batch: docs/ARCHITECTURE.md, "Finish").
 *
 * <p>Under a queue's {@code concurrency}, the producer runs no more handlers than the permits of it
 * this instance holds ({@link QueuePermits}): its claims ask for them in the same statement
 * ({@link JobClaimer#claimHeld}), the heartbeat renews them ({@link #renewHold}), and those it no
 * longer uses are handed back after the turn in which that became so. Its supply waits for a
 * permit as for a slot.
 *
 * <p>One claim (or hold) is in flight at a time: wake-ups that arrive meanwhile (NOTIFY, a freed
 * slot, the poll tick) only mark that another claim is wanted, which is how notifications are
 * debounced. After a claim that filled every free slot it claims again when slots free; after one
 * that came back short, the queue is taken to be empty until the next wake-up, unless the permits
 * stopped it: then every job of the queue whose handler returns here claims again, at once, since
 * that freed a permit (no poll, and no other instance woken for it). Slots freed in one event-loop
 * turn are claimed together, after the turn: claimed at the first release, they made a claim of
 * one job and then one of the rest, in every cycle of a drain.
 *
 * <p>The producer holds the attempts it claimed until they end (their handler ran and their outcome
 * was written or given up): the engine reaches them here to renew their leases, time them out,
 * cancel them or hand them back, and never hears from the producer.
 */
final class QueueProducer {

    private static final Logger LOG = Logger.getLogger(QueueProducer.class);
    private final JobClaimer claimer;
    private final EngineSettings settings;
    private final BiFunction<RunningJob, Runnable, Uni<Void>> execution;
    private final Map<UUID, RunningJob> attempts = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();
    // Handlers that run (the slots taken), and attempts whose handler returned and whose outcome is being written.
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger writing = new AtomicInteger();
    // Of a limited queue, the permits of its concurrency this instance holds.
    private final PermitHold hold;
    private final QueuePermits permits;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean wanted = new AtomicBoolean(true);
    private final AtomicBoolean claimAfterTurn = new AtomicBoolean();
    private final Executor afterTurn;
    private final Ticker ticker;
    private volatile QueueSettings queue;
    private volatile boolean stopped;
    // The last claim was stopped by the queue's concurrency limit, not by an empty queue.
    private volatile boolean atLimit;
    // Claimed attempts waiting for a slot (the local supply), and what sizes it.
    private final LocalSupply supply = new LocalSupply();
    private final SupplySize supplySize;
    // What a supplied job's lease must still hold when its handler starts: a fifth of the lease
    // (computed once: Duration.dividedBy goes through BigDecimal, 2 % of the event loop's time in a
    // drain of 24 slots at C1, bench/README.md).
    private final Duration startMargin;

    /**
     * @param execution runs a claimed attempt to its end ({@link Attempts#run}), and calls the
     *     given {@code Runnable} when its handler has returned (its slot is free then); the attempt
     *     ends when the returned {@code Uni} ends
     * @param afterTurn runs a task after the current event-loop turn
     * @param supplySize how many jobs to claim ahead of the free slots
     */
    QueueProducer(QueueSettings queue, JobClaimer claimer, QueueHolds holds, EngineSettings settings,
                  BiFunction<RunningJob, Runnable, Uni<Void>> execution, Executor afterTurn, Ticker ticker,
                  SupplySize supplySize) {
        this.queue = queue;
        this.ticker = ticker;
        this.afterTurn = afterTurn;
        this.claimer = claimer;
        this.hold = new PermitHold(holds, settings.instanceId(), settings.leaseDuration());
        this.permits = hold.permits();
        this.settings = settings;
        this.execution = execution;
        this.supplySize = supplySize;
        this.startMargin = settings.leaseDuration().dividedBy(5);
    }

    QueueSettings queue() {
        return queue;
    }

    /**
     * New settings from the queues table (pause, concurrency); a resumed queue is claimed at once.
     * A queue that lost its limit hands its permits back.
     */
    void update(QueueSettings settings) {
        QueueSettings before = this.queue;
        this.queue = settings;
        if (before.concurrency() != null && settings.concurrency() == null) {
            hold.release(settings);
        }
        wake();
    }

    /** Something may be waiting: claim if there is room. */
    void wake() {
        wanted.set(true);
        claimIfRoom();
    }

    /** The attempts this producer claimed that have not ended. */
    Collection<RunningJob> attempts() {
        return attempts.values();
    }

    /** The running attempt of a job, or null when this producer does not run it. */
    RunningJob attempt(UUID jobId) {
        return attempts.get(jobId);
    }

    /** Attempts started since the producer was created. */
    long startedCount() {
        return started.get();
    }

    /**
     * After the current event-loop turn, starts supplied attempts on the free slots, then claims if
     * wanted and there is room. Never throws. (Starting them at once, from the handler that
     * returned, would nest one start in the other for as long as handlers return at once.)
     */
    private void claimAfterTurn() {
        if (claimAfterTurn.compareAndSet(false, true)) {
            try {
                afterTurn.execute(() -> {
                    claimAfterTurn.set(false);
                    startFromSupply();
                    claimIfRoom();
                    handBackUnused();
                });
            } catch (RuntimeException e) {
                // Not scheduled (the event loop is closing, the instance stopping): the next
                // freed slot, wake-up or poll tries again. Thrown on, it would fail the attempt's
                // outcome write it was called from.
                claimAfterTurn.set(false);
                LOG.debugf("no claim scheduled for queue %s: %s", queue.key(), e.getMessage());
                if (stopped) {
                    startFromSupply();
                }
            }
        }
    }

    int running() {
        return running.get();
    }

    /**
     * Whether a claim is in flight or an attempt it claimed has not ended: the engine's shutdown
     * waits until none holds. (A claim's jobs are in the supply before the claim counts as done.)
     */
    boolean busy() {
        return claiming.get() || running.get() > 0 || writing.get() > 0 || supplied() > 0;
    }

    /**
     * Stops claiming for good. The supply, and the jobs of a claim still in flight, are started
     * stopped, so that they are handed back at once; the running attempts go on until the engine stops them
     * ({@link #stopAll}). The engine waits until the producer is no longer {@link #busy}.
     */
    void stop() {
        stopped = true;
        // The local supply is handed back at once.
        try {
            afterTurn.execute(this::startFromSupply);
        } catch (RuntimeException e) {
            startFromSupply();
        }
    }

    /** Claimed attempts waiting for a slot. */
    int supplied() {
        return supply.size();
    }

    /** Stops every running attempt for {@code reason}. */
    void stopAll(StopReason reason) {
        attempts.values().forEach(attempt -> attempt.stop(reason));
    }

    private void claimIfRoom() {
        if (stopped || queue.paused() || !wanted.get()) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            return;
        }
        // A backlog of outcomes that fills the outcome statements in flight (or the slots, when
        // more) holds new claims back until some are written. Room: the free slots (the supply
        // takes them first) plus the supply wanted ahead of them; under a queue's limit, no more
        // than the permits held leave, unless more may be granted.
        QueueSettings current = queue;
        Integer concurrency = current.concurrency();
        int ahead = supplySize.target();
        int backlog = Math.max(settings.slots(), OutcomeDelivery.STATEMENTS * settings.completionBatch());
        int free = settings.slots() - running.get() - supplied() + ahead;
        int room = writing.get() >= backlog ? 0 : Math.min(free, settings.claimBatch());
        if (concurrency != null && permits.allowed() >= need(concurrency)) {
            // Every permit it could use is held: the claim can bring no more than they leave.
            room = Math.min(room, permits.usable(ticker.nanoTime()) - running.get() + ahead - supplied());
        }
        if (room <= 0) {
            claiming.set(false);
            return;
        }
        wanted.set(false);
        long sent = ticker.nanoTime();
        supplySize.claimSent(sent);
        int asked = room;
        Uni<Claim> claim = concurrency == null
                ? claimer.claim(current.workspace(), current.name(), room, settings.instanceId(), settings.leaseDuration())
                : claimer.claimHeld(current.workspace(), current.name(), room, settings.instanceId(), settings.leaseDuration(),
                        new QueueHolds.Ask(concurrency, need(concurrency), running.get(), supplied(), ahead));
        claim.subscribe().with(
                claimed -> {
                    supplySize.claimAnswered(ticker.nanoTime() - sent);
                    if (claimed.held() != null) {
                        hold.answered(queue, claimed.held(), sent);
                    }
                    onClaimed(claimed, asked);
                },
                failure -> {
                    LOG.warnf("claiming from queue %s failed: %s", current.key(), failure.getMessage());
                    claiming.set(false);
                });
    }

    /** The permits of a limited queue this instance could use: its slots, at most the limit. */
    private int need(int concurrency) {
        return Math.min(settings.slots(), concurrency);
    }

    /**
     * Renews the permits of a limited queue while it holds some (the heartbeat calls it): for all
     * it could use while it drains the queue, else for its running and supplied jobs. Not while a
     * claim is in flight: that claim renews them.
     */
    void renewHold() {
        Integer concurrency = queue.concurrency();
        if (concurrency != null && permits.allowed() > 0) {
            // Stopping or paused, it keeps the permits of the handlers that still run (a lapsed
            // hold would let other instances pass the limit while they finish).
            sendHold(concurrency, !stopped && draining() ? need(concurrency) : running.get() + supplied());
        }
    }

    /** Claims are wanted, or the permits stopped the last one: the queue is being drained. */
    private boolean draining() {
        return !queue.paused() && (wanted.get() || atLimit);
    }

    /**
     * Hands back the permits of a limited queue that no job here needs: all of them once nothing
     * runs or waits here and the queue is empty, those above its share while other instances wait
     * (they are woken for them). Kept while the queue drains: asking again would cost a round trip.
     */
    private void handBackUnused() {
        Integer concurrency = queue.concurrency();
        if (concurrency == null || stopped || claiming.get()) {
            return;
        }
        int keep = permits.toKeep(running.get(), supplied(), draining());
        if (keep >= 0) {
            sendHold(concurrency, keep);
        }
    }

    /** One hold statement (renewal or hand-back), while no claim is in flight. */
    private void sendHold(int concurrency, int need) {
        if (!claiming.compareAndSet(false, true)) {
            return;
        }
        QueueSettings current = queue;
        long sent = ticker.nanoTime();
        hold.renew(current, new QueueHolds.Ask(concurrency, need, running.get(), supplied(), 0))
                .subscribe().with(
                        held -> {
                            hold.answered(queue, held, sent);
                            claiming.set(false);
                            startFromSupply();
                            claimIfRoom();
                        },
                        failure -> {
                            LOG.warnf("holding permits of queue %s failed: %s", current.key(), failure.getMessage());
                            claiming.set(false);
                        });
    }

    private void onClaimed(Claim claim, int asked) {
        List<ClaimedJob> jobs = claim.jobs();
        atLimit = claim.atLimit();
        for (ClaimedJob job : jobs) {
            // The lease was written by the claim statement, a moment ago; OutcomeDelivery keeps a margin.
            RunningJob attempt = new RunningJob(job, ticker, ticker.nanoTime() + settings.leaseDuration().toNanos());
            attempts.put(job.id(), attempt);
            supply.add(attempt);
        }
        if (jobs.size() == asked) {
            // A full claim: more are probably waiting.
            wanted.set(true);
        }
        // Only once the jobs are in the supply: busy() must never see the claim done and the jobs nowhere.
        claiming.set(false);
        startFromSupply();
        if (stopped) {
            return;
        }
        claimIfRoom();
        // A claim that found fewer jobs than the permits it was granted gives the rest back.
        handBackUnused();
    }

    /**
     * Starts supplied attempts while slots are free (and, under a queue's limit, permits); once
     * stopped, every one, to hand it back.
     */
    private void startFromSupply() {
        int slots = stopped ? Integer.MAX_VALUE
                : queue.concurrency() == null ? settings.slots() : Math.min(settings.slots(), permits.usable(ticker.nanoTime()));
        RunningJob next;
        while ((next = supply.take(running, slots)) != null) {
            start(next);
        }
    }

    private void start(RunningJob attempt) {
        attempt.begin();
        started.incrementAndGet();
        if (!attempt.leaseHolds(ticker.nanoTime(), startMargin)) {
            // It waited in the supply past what its lease surely holds (renewals failed): another
            // instance may have it by now. Its handler does not run; it is handed back if still ours.
            attempt.stop(StopReason.LEASE_LOST);
        }
        if (stopped) {
            attempt.stop(StopReason.SHUTDOWN);
        }
        AtomicBoolean slotFree = new AtomicBoolean();
        Runnable handlerReturned = () -> {
            if (slotFree.compareAndSet(false, true)) {
                writing.incrementAndGet();
                running.decrementAndGet();
                supplySize.handlerReturned();
                roomUnderLimit();
                // The next supplied attempt takes the slot; a claim follows only if one is wanted.
                claimAfterTurn();
            }
        };
        // Deferred: an execution that throws instead of failing its Uni still ends the attempt.
        Uni.createFrom().deferred(() -> execution.apply(attempt, handlerReturned))
                .subscribe().with(done -> end(attempt, slotFree), failure -> end(attempt, slotFree));
    }

    /** The attempt's outcome was written (or given up): it leaves, and frees its slot if its handler did not. */
    private void end(RunningJob attempt, AtomicBoolean slotFree) {
        // This attempt only: the job may have been claimed again (its lease was lost) and be running anew.
        attempts.remove(attempt.job().id(), attempt);
        if (slotFree.compareAndSet(false, true)) {
            // Ended without its handler returning (stopped before it ran): its room under the
            // limit frees now, with its outcome written.
            running.decrementAndGet();
            roomUnderLimit();
        } else {
            writing.decrementAndGet();
        }
        claimAfterTurn();
    }

    /**
     * A job of this queue no longer runs code here: under a queue's limit, its permit is free for
     * another. A claim in flight may have counted it in use: it may come back at the limit, so
     * another is wanted.
     */
    private void roomUnderLimit() {
        if (queue.concurrency() != null && (claiming.get() || atLimit)) {
            wanted.set(true);
        }
    }
}
