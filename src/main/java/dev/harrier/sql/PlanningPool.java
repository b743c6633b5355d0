package dev.harrier.sql;

import dev.harrier.config.HarrierConfig;
import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Creates the reactive pool so that every session plans each execution with its arguments
 * ({@code plan_cache_mode = force_custom_plan}). The batch statements bind arrays of up to 1,000
 * ids; a cached generic plan guesses 10 elements and joined them in nested loops that compared
 * every id with every other: the drain fell from 15,300 to 3,900 jobs a second (bench/README.md).
 * Beside it, a few connections whose sessions keep one generic plan a statement
 * ({@code force_generic_plan}) for the claims and the small batches ({@link SmallBatches}):
 * planning the claim, outcome and enqueue statements took as long as running them for a few jobs.
 * Set with {@code SET} when a connection opens, not as a startup parameter, which PgBouncer
 * refuses. Behind a pooler in transaction mode a {@code SET} does not stick to this client's
 * transactions (prepared statements do not work there either: Harrier needs a direct or
 * session-pooled connection). Credentials are read once at start: a Quarkus credentials provider
 * would not be asked again.
 */
@Singleton
public class PlanningPool implements PgPoolCreator {

    private static final Logger LOG = Logger.getLogger(PlanningPool.class);

    static final String SESSION_SETTINGS = "SET plan_cache_mode = force_custom_plan";
    static final String SMALL_BATCH_SESSION_SETTINGS = "SET plan_cache_mode = force_generic_plan";
    private static final String SMALL_BATCH_POOL = "harrier-small-batch-pool";

    /**
     * The longest SQL a connection keeps prepared. The client's default, 2,048 characters, left the
     * outcome and enqueue statements (3,000 and more with their comments) out: each was parsed
     * again at every execution, 0.3 ms of PostgreSQL's time each, which a limited queue's cycles of
     * 50 jobs paid 1,000 times a drain (bench/README.md). {@code SqlStatementsTest} checks that
     * every named statement fits.
     */
    public static final int PREPARED_SQL_LIMIT = 16_384;

    private final Duration poolWait;
    private final int smallBatchPoolSize;
    // Created with the pool (null until then, and when configured to 0).
    private volatile SqlClient smallBatches;

    public PlanningPool(HarrierConfig config) {
        this.poolWait = config.db().poolWait();
        this.smallBatchPoolSize = config.db().smallBatchPoolSize();
    }

    /** The connections of generic plans, once the pool is created; null without them. */
    SqlClient smallBatches() {
        return smallBatches;
    }

    int smallBatchPoolSize() {
        return smallBatchPoolSize;
    }

    @Override
    public Pool create(Input input) {
        // A bounded wait for a connection: with the database stalled, or the pool exhausted, a
        // request is refused (503) after this, not left hanging for the pool's default 30 s.
        PoolOptions options = new PoolOptions(input.poolOptions())
                .setConnectionTimeout((int) Math.max(1, poolWait.toMillis()))
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        if (smallBatchPoolSize > 0) {
            // A name of its own, for its gauges (under the pool's, Micrometer warned at every start).
            PoolOptions small = new PoolOptions(options).setMaxSize(smallBatchPoolSize).setName(SMALL_BATCH_POOL);
            smallBatches = SqlClient.newInstance(build(input, small, SMALL_BATCH_POOL, SMALL_BATCH_SESSION_SETTINGS));
        }
        return build(input, options, "harrier-pool", SESSION_SETTINGS);
    }

    private static Pool build(Input input, PoolOptions options, String name, String sessionSettings) {
        // Named: under the default name its gauges collided with another client's, and Micrometer
        // warned "Gauge already registered" at every start.
        List<SqlConnectOptions> servers = new ArrayList<>();
        input.pgConnectOptionsList().forEach(server -> servers.add(new PgConnectOptions(server).setMetricsName(name)
                .setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT)));
        return PgBuilder.pool()
                .with(options)
                .connectingTo(servers)
                .using(input.vertx())
                // The connection joins the pool when the handler closes it.
                .withConnectHandler(connection -> connection.query(sessionSettings).execute()
                        .onComplete(done -> {
                            if (done.failed()) {
                                LOG.warnf("a database session of %s could not be set up (%s): statements may be slow",
                                        name, done.cause().getMessage());
                            }
                            connection.close();
                        }))
                .build();
    }
}
