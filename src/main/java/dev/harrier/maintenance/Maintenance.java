package dev.harrier.maintenance;

import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The loop of the tasks that must run on one instance at a time, each in a file of its own:
 * {@link PromoteDue}, {@link RescueExpired}, {@link PruneFinished}. Every instance runs the loop;
 * only the holder of the leader row ({@link Leadership}) does the work, each task when its interval
 * has passed, and when the leader dies another takes the row over once it expires. Each task has
 * a "run once" method here that tests call directly.
 */
public final class Maintenance {

    private static final Logger LOG = Logger.getLogger(Maintenance.class);
    static final int BATCH = 1000;

    private final Leadership leadership;
    private final PromoteDue promote;
    private final RescueExpired rescue;
    private final PruneFinished prune;
    private final List<MaintenanceTask> tasks;
    private final Ticker ticker;
    private final MaintenanceSettings settings;
    private final Map<MaintenanceTask, Long> lastRun = new HashMap<>();
    private volatile long timerId = -1;
    private boolean ticking;

    public Maintenance(Pool pool, String instanceId, MaintenanceSettings settings, Clock clock, Ticker ticker,
                       MeterRegistry meters) {
        this.settings = settings;
        this.ticker = ticker;
        this.leadership = new Leadership(pool, instanceId, settings.leaderTtl(), clock, meters);
        this.promote = new PromoteDue(pool, settings.promoteInterval(), clock, meters);
        this.rescue = new RescueExpired(pool, settings.rescueInterval(), meters);
        this.prune = new PruneFinished(pool, settings, clock, meters);
        this.tasks = List.of(promote, rescue, prune);
    }

    public boolean leader() {
        return leadership.leader();
    }

    /** Takes or renews leadership; emits whether this instance leads now. */
    public Uni<Boolean> tryLead() {
        return leadership.attempt();
    }

    /** Makes due scheduled and retrying jobs pending; emits how many. */
    public Uni<Long> promoteOnce() {
        return promote.runOnce();
    }

    /** Returns jobs with expired leases to retrying (or failed, or cancelled); emits how many. */
    public Uni<Long> rescueOnce() {
        return rescue.runOnce();
    }

    /** Deletes one batch of terminal jobs past their retention; emits how many. */
    public Uni<Long> pruneOnce() {
        return prune.runOnce();
    }

    /** One tick: lead, then run each task whose interval has passed since its last run, in turn. */
    public Uni<Void> tickOnce() {
        return leadership.attempt().flatMap(leads -> {
            if (!leads) {
                return Uni.createFrom().voidItem();
            }
            long now = ticker.nanoTime();
            long slack = settings.promoteInterval().toNanos() / 2;
            Uni<?> work = Uni.createFrom().voidItem();
            for (MaintenanceTask task : tasks) {
                Long last = lastRun.get(task);
                // Half a tick of slack: a timer that fires a little early must not skip a task a tick.
                if (last == null || now - last + slack >= task.interval().toNanos()) {
                    lastRun.put(task, now);
                    work = work.flatMap(previous -> task.runOnce());
                }
            }
            return work.replaceWithVoid();
        });
    }

    /** Starts the loop on a Vert.x timer, ticking every promote interval. */
    public void start(Vertx vertx) {
        // The first prune comes half an interval after the start, not with the first tick.
        lastRun.put(prune, ticker.nanoTime() - settings.pruneInterval().toNanos() / 2);
        timerId = vertx.setPeriodic(settings.promoteInterval().toMillis(), id -> tick());
    }

    /** Stops the loop and gives leadership up. */
    public Uni<Void> stop(Vertx vertx) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        return leadership.resign();
    }

    private void tick() {
        synchronized (this) {
            if (ticking) {
                return;
            }
            ticking = true;
        }
        tickOnce().subscribe().with(
                ok -> done(),
                failure -> {
                    LOG.warnf("maintenance tick failed: %s", failure.getMessage());
                    done();
                });
    }

    private synchronized void done() {
        ticking = false;
    }

    static long count(RowSet<Row> rows) {
        return rows.size() == 0 ? 0 : rows.iterator().next().getLong(0);
    }

    /**
     * Promotes due jobs and rescues expired leases once, without a leader: for run once, which
     * judges by the database alone (both statements are safe to run from any number of instances).
     */
    public static Uni<Void> sweepOnce(Pool pool, Clock clock, MeterRegistry meters) {
        return new PromoteDue(pool, Duration.ofSeconds(1), clock, meters).runOnce()
                .flatMap(promoted -> new RescueExpired(pool, Duration.ofSeconds(10), meters).runOnce())
                .replaceWithVoid();
    }
}
