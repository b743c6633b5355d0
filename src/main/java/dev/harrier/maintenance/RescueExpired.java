package dev.harrier.maintenance;

import dev.harrier.sql.Table;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * <b>What it does.</b> Finds running jobs whose lease expired (their instance died, froze or lost
 * the database) and takes them back, up to 1,000 a run: to retrying with the attempt counted and
 * logged, or to failed when no attempt is left, or to cancelled when a client had asked
 * ({@code rescue_expired} in {@code sql/jobs.sql}). Leases are judged by the database's clock,
 * which also wrote them: an instance whose clock is off could otherwise take a job from another
 * that still holds it, and run it twice.
 *
 * <p><b>Options.</b> {@code harrier.maintenance.rescue-interval} (10 s); how long a lease lasts is
 * {@code harrier.worker.lease-duration}.
 *
 * <p><b>Metrics.</b> {@code harrier_jobs_rescued_total}; each run that rescues logs a warning.
 */
final class RescueExpired implements MaintenanceTask {

    private static final Logger LOG = Logger.getLogger(RescueExpired.class);

    private final Pool pool;
    private final Duration interval;
    private final Counter rescued;

    RescueExpired(Pool pool, Duration interval, MeterRegistry meters) {
        this.pool = pool;
        this.interval = interval;
        this.rescued = Counter.builder("harrier.jobs.rescued")
                .description("Running jobs taken back after their lease expired").register(meters);
    }

    @Override
    public String name() {
        return "rescue";
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public Uni<Long> runOnce() {
        return pool.preparedQuery(Table.JOBS.sql("rescue_expired")).execute(Tuple.of(Maintenance.BATCH))
                .map(Maintenance::count)
                .invoke(n -> {
                    rescued.increment(n);
                    if (n > 0) {
                        LOG.warnf("Rescued %d jobs whose instance stopped renewing their lease", n);
                    }
                });
    }
}
