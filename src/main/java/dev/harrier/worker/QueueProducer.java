package dev.harrier.worker;

import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.QueueSettings;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Claims the jobs of one queue for this instance, never more than its free slots. One claim is in
 * flight at a time: wake-ups that arrive meanwhile (NOTIFY, a finished job, the poll tick) only
 * mark that another claim is wanted, which is how notifications are debounced. After a claim that
 * filled every free slot it claims again when slots free; after one that came back short,
 * the queue is taken to be empty until the next wake-up. Slots freed in one event-loop turn (the
 * outcomes of one batch statement) are claimed together, after the turn: claimed at the first
 * release, they made a claim of one job and then one of the rest, in every cycle of a drain.
 */
final class QueueProducer {

    private static final Logger LOG = Logger.getLogger(QueueProducer.class);

    private final JobClaimer claimer;
    private final EngineSettings settings;
    private final BiConsumer<ClaimedJob, QueueProducer> dispatcher;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean wanted = new AtomicBoolean(true);
    private final AtomicBoolean claimAfterTurn = new AtomicBoolean();
    private final Executor afterTurn;
    private volatile QueueSettings queue;
    private volatile boolean stopped;

    /**
     * @param dispatcher runs a claimed job, and calls {@link #release()} on the producer it is given
     *     when the job is done
     * @param afterTurn runs a task after the current event-loop turn
     */
    QueueProducer(QueueSettings queue, JobClaimer claimer, EngineSettings settings,
                  BiConsumer<ClaimedJob, QueueProducer> dispatcher,
                  Executor afterTurn) {
        this.queue = queue;
        this.afterTurn = afterTurn;
        this.claimer = claimer;
        this.settings = settings;
        this.dispatcher = dispatcher;
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

    /** A job of this queue finished on this instance: its slot is free. */
    void release() {
        running.decrementAndGet();
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

    /** Stops claiming; running jobs are the engine's to finish or hand back. */
    void stop() {
        stopped = true;
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
                        jobs -> onClaimed(jobs, room),
                        failure -> {
                            LOG.warnf("claiming from queue %s failed: %s", current.key(), failure.getMessage());
                            claiming.set(false);
                        });
    }

    private void onClaimed(List<ClaimedJob> jobs, int asked) {
        running.addAndGet(jobs.size());
        if (jobs.size() == asked) {
            // A full claim: more are probably waiting.
            wanted.set(true);
        }
        claiming.set(false);
        for (ClaimedJob job : jobs) {
            dispatcher.accept(job, this);
        }
        if (stopped) {
            return;
        }
        claimIfRoom();
    }
}
