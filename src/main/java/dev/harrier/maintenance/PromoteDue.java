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
 * <b>What it does.</b> Makes scheduled jobs whose {@code runAt} has come, and retrying jobs whose
 * backoff has passed, pending, up to 1,000 a run, and wakes the producers of their queues
 * ({@code promote_due} in {@code sql/jobs.sql}). "Come" is by the database's clock (the tests'
 * clock when they set one). A retry's time was chosen by the clock of the instance that ran the
 * attempt, so a clock that is off makes that retry as much early or late.
 *
 * <p><b>Options.</b> {@code harrier.maintenance.promote-interval} (1 s): the longest a due job waits
 * for its promotion. It is also the tick of the whole maintenance loop.
 *
 * <p><b>Metrics.</b> {@code harrier_jobs_promoted_total}.
 */
final class PromoteDue implements MaintenanceTask {

    private final Pool pool;
    private final Duration interval;
    private final Clock clock;
    private final Counter promoted;

    PromoteDue(Pool pool, Duration interval, Clock clock, MeterRegistry meters) {
        this.pool = pool;
        this.interval = interval;
        this.clock = clock;
        this.promoted = Counter.builder("harrier.jobs.promoted")
                .description("Scheduled and retrying jobs made pending when their time came").register(meters);
    }

    @Override
    public String name() {
        return "promote";
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public Uni<Long> runOnce() {
        return pool.preparedQuery(Table.JOBS.sql("promote_due"))
                .execute(Tuple.of(Maintenance.BATCH, Clocks.forSql(clock)))
                .map(Maintenance::count)
                .invoke(n -> promoted.increment(n));
    }
}
