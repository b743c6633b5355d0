package dev.harrier.worker;

import dev.harrier.instance.InstanceRows;
import dev.harrier.maintenance.Maintenance;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import dev.harrier.notify.Payloads;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.Leases;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.queue.QueueHolds;
import dev.harrier.queue.QueueSettings;
import dev.harrier.queue.QueueStore;
import dev.harrier.time.Ticker;
import dev.harrier.worker.RunningJob.StopReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * One instance of the job engine: a producer per queue that claims jobs, the runner, batched
 * outcomes, lease renewal, the notification listener and the maintenance loop. The service runs one
 * (see {@link EngineLifecycle}); tests start several in one JVM to play several instances.
 */
public final class Engine {

    private static final Logger LOG = Logger.getLogger(Engine.class);
    private static final Duration QUEUE_REFRESH = Duration.ofSeconds(5);
    private static final Duration HAND_BACK_WAIT = Duration.ofSeconds(10);
    // How often running attempts are checked against their timeout: one sweep, not a timer per job.
    private static final long TIMEOUT_SWEEP_MILLIS = 200;

    private final EngineSettings settings;
    private final Vertx vertx;
    private final InstanceRows instances;
    private final JobClaimer claimer;
    private final QueueHolds holds;
    private final Leases leases;
    private final QueueStore queues;
    private final JobRunner runner;
    private final Ticker ticker;
    private final Attempts attempts;
    private final Notifier notifier;
    private final List<Runnable> subscriptions = new ArrayList<>();
    private final Maintenance maintenance;
    private final Map<String, QueueProducer> producers = new ConcurrentHashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private long timeoutSweep = -1;
    private long heartbeat = -1;
    private volatile boolean stopping;
    private volatile Set<String> onlyQueues = Set.of();

    Engine(EngineSettings settings, Vertx vertx, InstanceRows instances, JobClaimer claimer, QueueHolds holds, Leases leases,
           OutcomeWriter writer,
           QueueStore queues, JobRunner runner, Notifier notifier, Maintenance maintenance, EngineMetrics metrics,
           Ticker ticker) {
        this.ticker = ticker;
        this.settings = settings;
        this.vertx = vertx;
        this.instances = instances;
        this.claimer = claimer;
        this.holds = holds;
        this.leases = leases;
        this.queues = queues;
        this.runner = runner;
        this.notifier = notifier;
        this.maintenance = maintenance;
        this.attempts = new Attempts(runner, new OutcomeDelivery(writer, settings, vertx, ticker), metrics);
    }

    public String instanceId() {
        return settings.instanceId();
    }

    /**
     * Run once: claims only from queues named {@code queueNames} (empty: every queue), starts no
     * attempt whose timeout would end after {@code deadline} (null: no deadline; such a job is
     * handed back, its attempt not burned, and {@link #outOfTime()} turns true), and tells
     * {@code onOutcome} of every outcome written. Called before {@link #start()}.
     */
    public void runOnly(Set<String> queueNames, Instant deadline, BiConsumer<ClaimedJob, JobStatus> onOutcome) {
        this.onlyQueues = Set.copyOf(queueNames);
        runner.deadline(deadline);
        attempts.listen(onOutcome);
    }

    /** Nothing claimed, running or being written on any queue of this engine. */
    public boolean idle() {
        return !busy();
    }

    /** True once a job was handed back because its timeout would have ended after the deadline. */
    public boolean outOfTime() {
        return runner.outOfTime();
    }

    /** Registers the instance, subscribes to its notifications, loads the queues and starts the loops. */
    public Uni<Void> start() {
        subscriptions.add(notifier.subscribe(Channel.JOBS, this::onJobsNotified));
        subscriptions.add(notifier.subscribe(Channel.CANCEL, this::onCancelNotified));
        subscriptions.add(notifier.subscribe(Channel.QUEUES, key -> refreshQueues().subscribe().with(ok -> { }, this::logFailure)));
        // Notifications sent while the connection was down are lost: every queue is claimed from.
        subscriptions.add(notifier.onReconnect(this::wakeAll));
        return instances.register(settings.instanceId(), true)
                .flatMap(registered -> refreshQueues())
                .invoke(this::startLoops)
                .invoke(() -> LOG.infof("Harrier worker %s started (%d slots per queue)", settings.instanceId(), settings.slots()));
    }

    /**
     * Graceful stop: no more claims; running jobs get the shutdown grace to finish; the rest are
     * stopped and handed back to pending without burning an attempt, for another instance. Leases
     * are renewed until then: a grace longer than a lease must not let another instance rescue a
     * job that still runs here.
     */
    public Uni<Void> stop() {
        stopping = true;
        producers.values().forEach(QueueProducer::stop);
        timers.forEach(vertx::cancelTimer);
        return untilIdle(settings.shutdownGrace())
                .invoke(() -> {
                    if (runningCount() > 0) {
                        LOG.infof("Handing %d unfinished jobs back for another instance", runningCount());
                        producers.values().forEach(producer -> producer.stopAll(StopReason.SHUTDOWN));
                    }
                })
                .flatMap(x -> untilIdle(HAND_BACK_WAIT))
                .invoke(() -> {
                    vertx.cancelTimer(timeoutSweep);
                    vertx.cancelTimer(heartbeat);
                })
                .flatMap(x -> maintenance == null ? Uni.createFrom().voidItem() : maintenance.stop(vertx))
                .invoke(() -> subscriptions.forEach(Runnable::run))
                // Permits of limited queues are handed back with the instance: the others need not wait for their lease.
                .flatMap(x -> holds.releaseAll(settings.instanceId()))
                .flatMap(x -> instances.remove(settings.instanceId()))
                .invoke(() -> runner.close())
                .invoke(() -> LOG.infof("Harrier worker %s stopped", settings.instanceId()))
                .replaceWithVoid();
    }

    /** Wakes every queue's producer (after a reconnect, on the poll tick, in tests). */
    public void wakeAll() {
        producers.values().forEach(QueueProducer::wake);
    }

    private boolean busy() {
        return producers.values().stream().anyMatch(QueueProducer::busy);
    }

    public int runningCount() {
        return producers.values().stream().mapToInt(producer -> producer.attempts().size()).sum();
    }

    /** Attempts this instance has started since it started. */
    public long startedCount() {
        return producers.values().stream().mapToLong(QueueProducer::startedCount).sum();
    }

    public boolean listening() {
        return notifier.connected();
    }

    public Maintenance maintenance() {
        return maintenance;
    }

    /** Renews this instance's leases once; stops attempts whose job was cancelled or taken away. */
    public Uni<Void> heartbeatOnce() {
        Map<UUID, RunningJob> running = new HashMap<>();
        producers.values().forEach(producer -> producer.attempts().forEach(a -> running.put(a.job().id(), a)));
        Set<UUID> unconfirmed = new HashSet<>(running.keySet());
        producers.values().forEach(QueueProducer::renewHold);
        long sent = ticker.nanoTime();
        return leases.renew(settings.instanceId(), settings.leaseDuration(), running.keySet())
                .invoke(held -> {
                    for (Leases.Held job : held) {
                        unconfirmed.remove(job.jobId());
                        RunningJob attempt = running.get(job.jobId());
                        if (attempt != null) {
                            attempt.leaseRenewed(sent, settings.leaseDuration());
                        }
                        if (job.cancelRequested()) {
                            stopRunning(job.jobId(), StopReason.CANCELLED);
                        }
                    }
                })
                .flatMap(held -> leases.notHeld(settings.instanceId(), unconfirmed))
                .invoke(lost -> lost.forEach(id -> stopRunning(id, StopReason.LEASE_LOST)))
                .flatMap(lost -> instances.heartbeat(settings.instanceId(), true, runningCount()))
                .replaceWithVoid();
    }

    /** Re-reads the queues table: new queues get a producer, changed ones their new settings. */
    public Uni<Void> refreshQueues() {
        return queues.list().invoke(list -> list.forEach(this::applyQueue)).replaceWithVoid();
    }

    private void applyQueue(QueueSettings queue) {
        if (!onlyQueues.isEmpty() && !onlyQueues.contains(queue.name())) {
            return;
        }
        QueueProducer existing = producers.get(queue.key());
        if (existing == null) {
            QueueProducer producer = new QueueProducer(queue, claimer, holds, settings, attempts::run, vertx::runOnContext, ticker,
                    new SupplySize(settings.claimBatch()));
            if (stopping) {
                producer.stop();
            }
            if (producers.putIfAbsent(queue.key(), producer) == null) {
                // Checked again after adding it: a stop that began meanwhile may not have seen it.
                if (stopping) {
                    producer.stop();
                } else {
                    producer.wake();
                }
            }
        } else if (!existing.queue().equals(queue)) {
            existing.update(queue);
        }
    }

    private void onJobsNotified(String key) {
        QueueProducer producer = producers.get(key);
        if (producer != null) {
            producer.wake();
        } else {
            refreshQueues().subscribe().with(ok -> { }, this::logFailure);
        }
    }

    private void onCancelNotified(String payload) {
        Payloads.jobId(payload).ifPresent(id -> stopRunning(id, StopReason.CANCELLED));
    }

    private void stopRunning(UUID id, StopReason reason) {
        for (QueueProducer producer : producers.values()) {
            RunningJob attempt = producer.attempt(id);
            if (attempt != null && attempt.stop(reason)) {
                LOG.debugf("job %s stopped: %s", id, reason);
            }
        }
    }

    /** Stops the attempts that ran past their timeout; they fail and are retried if attempts remain. */
    void stopOverdue() {
        long now = ticker.nanoTime();
        for (QueueProducer producer : producers.values()) {
            for (RunningJob attempt : producer.attempts()) {
                if (attempt.overdue(now)) {
                    attempt.stop(StopReason.TIMED_OUT);
                }
            }
        }
    }

    private void startLoops() {
        // Cancelled after the hand-back, not with the other loops: the shutdown grace is when
        // timeouts must still hold (a hung job would otherwise be handed back, attempt not counted).
        timeoutSweep = vertx.setPeriodic(TIMEOUT_SWEEP_MILLIS, id -> stopOverdue());
        timers.add(vertx.setPeriodic(settings.pollInterval().toMillis(), id -> wakeAll()));

        timers.add(vertx.setPeriodic(QUEUE_REFRESH.toMillis(),
                id -> refreshQueues().subscribe().with(ok -> { }, this::logFailure)));
        // Also cancelled after the hand-back: a grace longer than what is left of a lease would
        // otherwise let another instance rescue a job that is still running here (attempt burned,
        // the job run twice, its result refused).
        heartbeat = vertx.setPeriodic(settings.heartbeatInterval().toMillis(),
                id -> heartbeatOnce().subscribe().with(ok -> { }, this::logFailure));
        if (maintenance != null) {
            maintenance.start(vertx);
        }
    }

    /** Until no claim is in flight and no attempt runs, or the limit. */
    private Uni<Void> untilIdle(Duration limit) {
        if (!busy()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().ticks().every(Duration.ofMillis(20))
                .select().where(tick -> !busy())
                .toUni()
                .ifNoItem().after(limit).recoverWithUni(() -> Uni.createFrom().nullItem())
                .replaceWithVoid();
    }

    private void logFailure(Throwable failure) {
        LOG.warnf("worker %s: %s", settings.instanceId(), failure.getMessage());
    }
}
