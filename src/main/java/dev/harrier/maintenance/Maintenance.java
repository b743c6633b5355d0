package dev.harrier.maintenance;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The loops that must run on one instance at a time: promoting due jobs, rescuing jobs whose lease
 * expired, pruning old terminal jobs. Every instance runs the loop; only the holder of the
 * {@code maintenance} leader row does the work, and when it dies another takes the row over once it
 * expires. Each step has a "run once" method that tests call directly.
 */
public final class Maintenance {

    private static final Logger LOG = Logger.getLogger(Maintenance.class);
    static final String LEADERSHIP = "maintenance";
    private static final int BATCH = 1000;

    private final Pool pool;
    private final String instanceId;
    private final MaintenanceSettings settings;
    private volatile boolean leader;
    private volatile long timerId = -1;
    private long lastRescueNanos;
    private long lastPruneNanos;
    private boolean ticking;

    public Maintenance(Pool pool, String instanceId, MaintenanceSettings settings) {
        this.pool = pool;
        this.instanceId = instanceId;
        this.settings = settings;
    }

    public boolean leader() {
        return leader;
    }

    /** Takes or renews leadership; emits whether this instance leads now. */
    public Uni<Boolean> tryLead() {
        double ttl = settings.leaderTtl().toMillis() / 1000.0;
        return pool.preparedQuery(Table.LEADERS.sql("attempt"))
                .execute(Tuple.of(LEADERSHIP, instanceId, ttl))
                .map(rows -> rows.size() > 0)
                .invoke(leads -> {
                    if (leads != leader) {
                        LOG.infof("Instance %s %s the maintenance leader", instanceId, leads ? "is now" : "is no longer");
                    }
                    leader = leads;
                });
    }

    /** Makes due scheduled and retrying jobs pending; emits how many. */
    public Uni<Long> promoteOnce() {
        return pool.preparedQuery(Table.JOBS.sql("promote_due")).execute(Tuple.of(BATCH)).map(Maintenance::count);
    }

    /** Returns jobs with expired leases to retrying (or failed, or cancelled); emits how many. */
    public Uni<Long> rescueOnce() {
        return pool.preparedQuery(Table.JOBS.sql("rescue_expired")).execute(Tuple.of(BATCH))
                .map(Maintenance::count)
                .invoke(n -> {
                    if (n > 0) {
                        LOG.warnf("Rescued %d jobs whose instance stopped renewing their lease", n);
                    }
                });
    }

    /** Deletes one batch of terminal jobs past their retention; emits how many. */
    public Uni<Integer> pruneOnce() {
        return pool.preparedQuery(Table.JOBS.sql("prune_finished"))
                .execute(Tuple.of(seconds(settings.completedRetention()), seconds(settings.failedRetention()),
                        seconds(settings.cancelledRetention()), BATCH))
                .map(RowSet::rowCount)
                .call(deleted -> pool.query(Table.INSTANCES.sql("prune_stale")).execute());
    }

    /** One tick: lead, then promote, and rescue and prune when their intervals have passed. */
    public Uni<Void> tickOnce() {
        return tryLead().flatMap(leads -> {
            if (!leads) {
                return Uni.createFrom().voidItem();
            }
            long now = System.nanoTime();
            boolean rescue = now - lastRescueNanos >= settings.rescueInterval().toNanos();
            boolean prune = now - lastPruneNanos >= settings.pruneInterval().toNanos();
            Uni<?> work = promoteOnce();
            if (rescue) {
                lastRescueNanos = now;
                work = work.flatMap(promoted -> rescueOnce());
            }
            if (prune) {
                lastPruneNanos = now;
                work = work.flatMap(previous -> pruneOnce());
            }
            return work.replaceWithVoid();
        });
    }

    /** Starts the loop on a Vert.x timer. */
    public void start(Vertx vertx) {
        long now = System.nanoTime();
        lastRescueNanos = now - settings.rescueInterval().toNanos();
        lastPruneNanos = now - settings.pruneInterval().toNanos() / 2;
        timerId = vertx.setPeriodic(settings.promoteInterval().toMillis(), id -> tick());
    }

    /** Stops the loop and gives leadership up. */
    public Uni<Void> stop(Vertx vertx) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        leader = false;
        return pool.preparedQuery(Table.LEADERS.sql("resign")).execute(Tuple.of(LEADERSHIP, instanceId)).replaceWithVoid();
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

    private static long count(RowSet<Row> rows) {
        return rows.size() == 0 ? 0 : rows.iterator().next().getLong(0);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
