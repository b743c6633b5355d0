package dev.harrier.maintenance;

import dev.harrier.sql.Table;
import dev.harrier.time.Clocks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;

/**
 * <b>What it does.</b> Deletes terminal jobs past their retention, with their events and items, up
 * to 1,000 a run ({@code prune_finished} in {@code sql/jobs.sql}), then the rows of instances that
 * stopped heartbeating long ago ({@code prune_stale} in {@code sql/instances.sql}) and up to 1,000
 * dataset records expired longer ago than their retention ({@code prune_expired} in
 * {@code sql/records.sql}), and the shared limits' holds of instances whose lease ended an hour ago
 * ({@code prune_expired} in {@code sql/limit_holds.sql}). Retention is
 * counted by the database's clock (the tests' clock when they set one) from {@code finished_at},
 * which the database wrote.
 *
 * <p><b>Options.</b> {@code harrier.maintenance.prune-interval} (1 min),
 * {@code harrier.maintenance.completed-retention} (7 days), {@code failed-retention} (30 days),
 * {@code cancelled-retention} (7 days), {@code expired-record-retention} (30 days).
 *
 * <p><b>Metrics.</b> {@code harrier_jobs_pruned_total}.
 */
final class PruneFinished implements MaintenanceTask {

    private final Pool pool;
    private final MaintenanceSettings settings;
    private final Clock clock;
    private final Counter pruned;

    PruneFinished(Pool pool, MaintenanceSettings settings, Clock clock, MeterRegistry meters) {
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
        this.pruned = Counter.builder("harrier.jobs.pruned")
                .description("Terminal jobs deleted after their retention").register(meters);
    }

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public Duration interval() {
        return settings.pruneInterval();
    }

    @Override
    public Uni<Long> runOnce() {
        return pool.preparedQuery(Table.JOBS.sql("prune_finished"))
                .execute(Tuple.of(seconds(settings.completedRetention()), seconds(settings.failedRetention()),
                        seconds(settings.cancelledRetention()), Maintenance.BATCH, Clocks.forSql(clock)))
                .map(rows -> (long) rows.rowCount())
                .invoke(n -> pruned.increment(n))
                .call(deleted -> pool.query(Table.INSTANCES.sql("prune_stale")).execute())
                .call(deleted -> pool.preparedQuery(Table.RECORDS.sql("prune_expired"))
                        .execute(Tuple.of(seconds(settings.expiredRecordRetention()), Maintenance.BATCH)))
                .call(deleted -> pool.query(Table.LIMIT_HOLDS.sql("prune_expired")).execute())
                .call(deleted -> pool.query(Table.QUEUE_HOLDS.sql("prune_expired")).execute());
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
