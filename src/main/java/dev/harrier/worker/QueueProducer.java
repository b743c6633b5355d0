package dev.harrier.worker;

import dev.harrier.queue.Claim;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.QueueSettings;
import dev.harrier.time.Ticker;
import dev.harrier.worker.RunningJob.StopReason;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Claims the jobs of one queue for this instance, never more than its free slots. One claim is in
 * flight at a time: wake-ups that arrive meanwhile (NOTIFY, a finished job, the poll tick) only
 * mark that another claim is wanted, which is how notifications are debounced. After a claim that
 * filled every free slot it claims again when slots free; after one that came back short,
 * the queue is taken to be empty until the next wake-up, unless the queue's {@code concurrency}
 * stopped it: then every job of the queue that ends here claims again, at once, since its end freed
 * room under the limit as well as a slot here (no poll, and no other instance woken for it). Slots freed in one event-loop turn (the
 * outcomes of one batch statement) are claimed together, after the turn: claimed at the first
 * release, they made a claim of one job and then one of the rest, in every cycle of a drain.
 *
 * <p>The producer holds the attempts it claimed until they end (their handler ran and their outcome
 * was written or given up): the engine reaches them here to renew their leases, time them out,
 * cancel them or hand them back, and never hears from the producer.
 */
final class QueueProducer {

    private static final Logger LOG = Logger.getLogger(QueueProducer.class);

    private final JobClaimer claimer;
    private final EngineSettings settings;
    private final Function<RunningJob, Uni<Void>> execution;
    private final Map<UUID, RunningJob> attempts = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean wanted = new AtomicBoolean(true);
    private final AtomicBoolean claimAfterTurn = new AtomicBoolean();
    private final Executor afterTurn;
    private final Ticker ticker;
    private volatile QueueSettings queue;
    private volatile boolean stopped;
    // The last claim was stopped by the queue's concurrency limit, not by an empty queue.
    private volatile boolean atLimit;

    /**
     * @param execution runs a claimed attempt to its end ({@link Attempts#run}); its slot is free
     *     when the returned {@code Uni} ends
     * @param afterTurn runs a task after the current event-loop turn
     */
    QueueProducer(QueueSettings queue, JobClaimer claimer, EngineSettings settings,
                  Function<RunningJob, Uni<Void>> execution, Executor afterTurn, Ticker ticker) {
        this.queue = queue;
        this.ticker = ticker;
        this.afterTurn = afterTurn;
        this.claimer = claimer;
        this.settings = settings;
        this.execution = execution;
    }

    QueueSettings queue() {
        return queue;
    }

    /** New settings from the queues table (pause, concurrency); a resumed queue is claimed at once. */
    void update(QueueSettings settings) {
        this.queue = settings;
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

    /** A job of this queue finished on this instance: its slot is free. */
    private void release() {
        running.decrementAndGet();
        if (atLimit) {
            wanted.set(true);
        }
        if (claimAfterTurn.compareAndSet(false, true)) {
            try {
                afterTurn.execute(() -> {
                    claimAfterTurn.set(false);
                    claimIfRoom();
                });
            } catch (RuntimeException e) {
                // Not scheduled (the event loop is closing): the next release tries again.
                claimAfterTurn.set(false);
                throw e;
            }
        }
    }

    int running() {
        return running.get();
    }

    /**
     * Whether a claim is in flight or an attempt it claimed has not ended: the engine's shutdown
     * waits until neither holds. (A claim's jobs count as running before the claim counts as done.)
     */
    boolean busy() {
        return claiming.get() || running.get() > 0;
    }

    /**
     * Stops claiming for good. A claim still in flight starts its jobs stopped, so that they are
     * handed back at once; the running attempts go on until the engine stops them
     * ({@link #stopAll}). The engine waits until the producer is no longer {@link #busy}.
     */
    void stop() {
        stopped = true;
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
        int room = Math.min(settings.slots() - running.get(), settings.claimBatch());
        if (room <= 0) {
            claiming.set(false);
            return;
        }
        wanted.set(false);
        QueueSettings current = queue;
        claimer.claim(current.workspace(), current.name(), room, current.concurrency(), settings.instanceId(),
                        settings.leaseDuration())
                .subscribe().with(
                        claim -> onClaimed(claim, room),
                        failure -> {
                            LOG.warnf("claiming from queue %s failed: %s", current.key(), failure.getMessage());
                            claiming.set(false);
                        });
    }

    private void onClaimed(Claim claim, int asked) {
        List<ClaimedJob> jobs = claim.jobs();
        atLimit = claim.atLimit();
        running.addAndGet(jobs.size());
        if (jobs.size() == asked) {
            // A full claim: more are probably waiting.
            wanted.set(true);
        }
        claiming.set(false);
        for (ClaimedJob job : jobs) {
            start(job);
        }
        if (stopped) {
            return;
        }
        claimIfRoom();
    }

    private void start(ClaimedJob job) {
        // The lease was written by the claim statement, a moment ago; OutcomeDelivery keeps a margin.
        RunningJob attempt = new RunningJob(job, ticker, ticker.nanoTime() + settings.leaseDuration().toNanos());
        attempts.put(job.id(), attempt);
        started.incrementAndGet();
        if (stopped) {
            attempt.stop(StopReason.SHUTDOWN);
        }
        // Deferred: an execution that throws instead of failing its Uni still ends the attempt.
        Uni.createFrom().deferred(() -> execution.apply(attempt))
                .subscribe().with(done -> end(attempt), failure -> end(attempt));
    }

    private void end(RunningJob attempt) {
        // This attempt only: the job may have been claimed again (its lease was lost) and be running anew.
        attempts.remove(attempt.job().id(), attempt);
        release();
    }
}
