package dev.harrier.sql;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a statement of the hot path (claim, outcomes, enqueue) where it is planned least: a batch
 * of up to {@link #MAX_ROWS} jobs on the connections whose sessions keep one generic plan a
 * statement ({@link PlanningPool}), a larger one on the pool, planned with its arguments; a claim
 * of any size on the former ({@link #planOnce}). For a
 * few jobs PostgreSQL took as long to plan these statements as to run them (0.5 to 0.6 ms each),
 * which a single job's pickup paid twice and a queue limited to 50 paid twice every 50 jobs
 * (bench/README.md). Their generic plans are those of their custom plans for a few rows; for a
 * thousand, the outcome statement's joined every outcome with every row in a nested loop.
 *
 * <p>Those connections are few. A statement that finds them all taken runs on the pool instead of
 * waiting: a burst of single enqueues is never held to their number.
 */
@ApplicationScoped
public class SmallBatches {

    /** The most rows a statement planned once for all its arguments is sent with. */
    public static final int MAX_ROWS = 64;

    private final Pool pool;
    private final PlanningPool planning;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile SqlClient generic;

    public SmallBatches(Pool pool, PlanningPool planning) {
        this.pool = pool;
        this.planning = planning;
    }

    /**
     * Runs {@code statement} for {@code rows} jobs on the connections of generic plans when the
     * batch is small and one is free, on the pool otherwise. The client given is a pool: each
     * statement is its own transaction.
     */
    public <T> Uni<T> run(int rows, Function<SqlClient, Uni<T>> statement) {
        SqlClient small = rows <= MAX_ROWS ? generic() : null;
        if (small == null) {
            return statement.apply(pool);
        }
        // Counted at each subscription, so that a retried statement is counted again.
        return Uni.createFrom().deferred(() -> {
            if (inFlight.incrementAndGet() > planning.smallBatchPoolSize()) {
                inFlight.decrementAndGet();
                return statement.apply(pool);
            }
            return statement.apply(small).onTermination().invoke(inFlight::decrementAndGet);
        });
    }

    /**
     * Runs a statement whose generic plan is its plan for any number of rows on the connections of
     * generic plans (when one is free): a claim, a LIMIT read in the order of an index, then the
     * rows by primary key, the same plan for one job as for a thousand.
     */
    public <T> Uni<T> planOnce(Function<SqlClient, Uni<T>> statement) {
        return run(1, statement);
    }

    private SqlClient generic() {
        SqlClient known = generic;
        if (known == null) {
            // The pool is created at its first use, and the connections of generic plans with it.
            pool.getDelegate();
            known = planning.smallBatches();
            generic = known;
        }
        return known;
    }
}
