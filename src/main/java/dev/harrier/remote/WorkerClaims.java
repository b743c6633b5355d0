package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Claims for remote workers, with the long poll: a claim that finds nothing waits, holding no
 * database connection, until a notification says a queue it takes from has a job (the engine's
 * {@code LISTEN} path), room frees under a queue's limit on this instance, or the poll interval
 * passes; then only the oldest waiter of that workspace claims, and the next one only if that
 * claim came back full, or if it asks for other kinds or queues. A thousand waiting workers of one
 * kind cost one claim per wake-up, not a thousand.
 * Claims follow the engine's rules (order, pause, a queue's concurrency, the lease).
 */
@ApplicationScoped
public class WorkerClaims {

    private static final Logger LOG = Logger.getLogger(WorkerClaims.class);

    /** One waiting claim. Guarded by its lane's lock. */
    private static final class Waiter {
        final ClaimRequest request;
        final UniEmitter<? super List<RemoteClaim>> reply;
        long timer = -1;
        boolean inFlight;
        boolean done;
        // Answered, or its caller went away: a reply can be given once; jobs found after are handed back.
        boolean answered;

        Waiter(ClaimRequest request, UniEmitter<? super List<RemoteClaim>> reply) {
            this.request = request;
            this.reply = reply;
        }
    }

    /** The waiters of one workspace, oldest first, and whether a wake-up is being served. */
    private static final class Lane {
        final Deque<Waiter> waiting = new ArrayDeque<>();
        boolean busy;
        boolean again;
    }

    private final ClaimPasses passes;
    private final Notifier notifier;
    private final Vertx vertx;
    private final Duration poll;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<String> rateWakes = ConcurrentHashMap.newKeySet();
    private final List<Runnable> subscriptions = new ArrayList<>();
    private long pollTimer = -1;

    public WorkerClaims(ClaimPasses passes, Notifier notifier, Vertx vertx, HarrierConfig config, MeterRegistry meters) {
        this.passes = passes;
        this.notifier = notifier;
        this.vertx = vertx;
        this.poll = config.worker().pollInterval();
        Gauge.builder("harrier.workers.waiting", this, WorkerClaims::waiting)
                .description("Remote workers' claims waiting for a job (the long poll)").register(meters);
    }

    void start(@Observes StartupEvent event) {
        subscriptions.add(notifier.subscribe(Channel.JOBS, this::onQueueNotified));
        subscriptions.add(notifier.subscribe(Channel.QUEUES, this::onQueueNotified));
        subscriptions.add(notifier.onReconnect(this::wakeAll));
        pollTimer = vertx.setPeriodic(poll.toMillis(), id -> wakeAll());
        // A shared limit's rate held a claim back: look again when its next slot is due.
        passes.onRateLimited((workspace, wait) -> {
            if (rateWakes.add(workspace)) {
                vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
                    rateWakes.remove(workspace);
                    wake(workspace, null);
                });
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        subscriptions.forEach(Runnable::run);
        vertx.cancelTimer(pollTimer);
        lanes.values().forEach(lane -> {
            List<Waiter> left;
            synchronized (lane) {
                left = new ArrayList<>(lane.waiting);
                lane.waiting.clear();
            }
            left.forEach(waiter -> answer(lane, waiter, List.of()));
        });
    }

    /**
     * Claims at once; with nothing to claim, waits up to the request's wait for a job. Emits the
     * jobs claimed, or none when the wait ran out. A caller that goes away while waiting is
     * forgotten; jobs claimed for it in that moment are handed back, their attempt not counted.
     */
    public Uni<List<RemoteClaim>> claim(ClaimRequest request) {
        return passes.pass(request).flatMap(jobs -> jobs.isEmpty() && !request.waitFor().isZero()
                ? Uni.createFrom().<List<RemoteClaim>>emitter(emitter -> wait(request, emitter))
                : Uni.createFrom().item(jobs));
    }

    /** Room freed in a queue (a remote job ended on this instance): a waiter may claim. */
    public void roomFreed(String workspace, String queue) {
        wake(workspace, queue);
    }

    private void wait(ClaimRequest request, UniEmitter<? super List<RemoteClaim>> emitter) {
        Lane lane = lanes.computeIfAbsent(request.workspace(), ws -> new Lane());
        Waiter waiter = new Waiter(request, emitter);
        synchronized (lane) {
            lane.waiting.addLast(waiter);
            waiter.timer = vertx.setTimer(request.waitFor().toMillis(), id -> expire(lane, waiter));
        }
        emitter.onTermination(() -> {
            // Answered, or the caller went away (then a claim in flight hands its jobs back).
            synchronized (lane) {
                lane.waiting.remove(waiter);
                waiter.done = true;
                waiter.answered = true;
                vertx.cancelTimer(waiter.timer);
            }
        });
        // A job may have come between the first attempt and now: look once more.
        wake(request.workspace(), null);
    }

    /**
     * The wait ran out: 204 now, even with a claim of its in flight (whose jobs, if it finds any,
     * are then handed back), so that a slow database never keeps a claim past its waitSeconds.
     */
    private void expire(Lane lane, Waiter waiter) {
        synchronized (lane) {
            if (waiter.done) {
                return;
            }
            waiter.done = true;
            lane.waiting.remove(waiter);
        }
        answer(lane, waiter, List.of());
    }

    private void onQueueNotified(String key) {
        int slash = key.lastIndexOf('/');
        if (slash > 0) {
            wake(key.substring(0, slash), key.substring(slash + 1));
        }
    }

    private void wakeAll() {
        lanes.keySet().forEach(workspace -> wake(workspace, null));
    }

    /** Serves a wake-up of a workspace's queue ({@code null}: any); one at a time per workspace. */
    private void wake(String workspace, String queue) {
        Lane lane = lanes.get(workspace);
        if (lane == null) {
            return;
        }
        synchronized (lane) {
            if (lane.waiting.isEmpty()) {
                return;
            }
            if (lane.busy) {
                lane.again = true;
                return;
            }
            lane.busy = true;
        }
        next(lane, queue, new HashSet<>());
    }

    /**
     * Lets the oldest waiter that takes from {@code queue} claim. A claim that came back full passes
     * the turn on (more jobs may wait); one that did not marks its shape (its kinds and queues) as
     * drained for this wake-up, and the turn goes to the oldest waiter of another shape: a wake-up
     * costs one pass per shape of claim waiting, not one per waiter.
     */
    private void next(Lane lane, String queue, Set<ClaimRequest.Shape> drained) {
        Waiter waiter = null;
        synchronized (lane) {
            for (Waiter candidate : lane.waiting) {
                if (!candidate.inFlight && candidate.request.takesFrom(queue) && !drained.contains(candidate.request.shape())) {
                    waiter = candidate;
                    break;
                }
            }
            if (waiter != null) {
                waiter.inFlight = true;
            }
        }
        if (waiter == null) {
            finish(lane); // outside the lock: it may start the next pass
            return;
        }
        Waiter served = waiter;
        passes.pass(served.request).subscribe().with(jobs -> {
            boolean answer;
            synchronized (lane) {
                served.inFlight = false;
                answer = !jobs.isEmpty() || served.done;
                if (answer) {
                    lane.waiting.remove(served);
                    vertx.cancelTimer(served.timer);
                }
            }
            if (answer && !answer(lane, served, jobs) && !jobs.isEmpty()) {
                handBack(served.request, jobs);
            }
            if (jobs.size() < served.request.max()) {
                drained.add(served.request.shape());
            }
            next(lane, queue, drained);
        }, failure -> {
            LOG.warnf("a remote claim failed: %s", failure.getMessage());
            synchronized (lane) {
                served.inFlight = false;
            }
            finish(lane); // the waiter stays, for the next wake-up or its wait's end
        });
    }

    private void finish(Lane lane) {
        synchronized (lane) {
            if (!lane.again) {
                lane.busy = false;
                return;
            }
            lane.again = false;
        }
        next(lane, null, new HashSet<>());
    }

    /** Answers a waiter; false when it had gone away (its jobs are then handed back). */
    private boolean answer(Lane lane, Waiter waiter, List<RemoteClaim> jobs) {
        synchronized (lane) {
            if (waiter.answered) {
                return false;
            }
            waiter.answered = true;
        }
        waiter.reply.complete(jobs);
        return true;
    }

    /** Claims waiting now, on this instance. */
    public int waiting() {
        int waiting = 0;
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                waiting += lane.waiting.size();
            }
        }
        return waiting;
    }

    private void handBack(ClaimRequest request, List<RemoteClaim> jobs) {
        passes.handBack(request, jobs).subscribe().with(ok -> wake(request.workspace(), null),
                failure -> LOG.warnf("jobs claimed for a worker that left stay leased until rescued: %s", failure.getMessage()));
    }
}
