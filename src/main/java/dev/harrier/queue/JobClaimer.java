package dev.harrier.queue;

import dev.harrier.handler.HandlerRegistry;
import dev.harrier.sql.Columns;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Claims pending jobs of one queue for one owner, in one statement per claim: for the engine, the
 * kinds it has a handler for; for a remote worker, the remote kinds it asked for, each job with
 * a lease token of its own.
 */
@ApplicationScoped
public class JobClaimer {

    private final Pool pool;
    private final HandlerRegistry handlers;
    private String[] handled;

    public JobClaimer(Pool pool, HandlerRegistry handlers) {
        this.pool = pool;
        this.handlers = handlers;
    }

    /**
     * Claims up to {@code limit} jobs. With a global {@code concurrency} (null for none), claims
     * are serialised per queue across instances and never take the queue past that many running;
     * the claim says whether that limit stopped it ({@link Claim#atLimit}).
     */
    public Uni<Claim> claim(String workspace, String queue, int limit, Integer concurrency, String owner,
                            Duration lease) {
        if (handled == null) {
            handled = handlers.kinds().toArray(String[]::new);
        }
        return claim(workspace, queue, limit, concurrency, owner, lease, handled, null);
    }

    /**
     * A remote worker's claim: jobs of {@code kinds} only, each leased with a token derived from
     * {@code secret} ({@link LeaseTokens}); otherwise the same rules as the engine's.
     */
    public Uni<Claim> claim(String workspace, String queue, int limit, Integer concurrency, String owner,
                            Duration lease, String[] kinds, byte[] secret) {
        if (concurrency == null) {
            return claim(pool, workspace, queue, limit, owner, lease, kinds, secret).map(Claim::of);
        }
        return pool.withTransaction(tx -> tx.preparedQuery(Table.JOBS.sql("claim_lock"))
                .execute(Tuple.of(workspace, queue))
                .flatMap(locked -> tx.preparedQuery(Table.JOBS.sql("count_running")).execute(Tuple.of(workspace, queue)))
                .map(rows -> Math.max(0, concurrency - rows.iterator().next().getLong("running").intValue()))
                .flatMap(room -> room == 0
                        ? Uni.createFrom().item(new Claim(List.of(), true))
                        : claim(tx, workspace, queue, Math.min(limit, room), owner, lease, kinds, secret)
                                // Took all the room the limit left: more may wait behind it.
                                .map(jobs -> new Claim(jobs, room <= limit && jobs.size() == room))));
    }

    private Uni<List<ClaimedJob>> claim(SqlClient client, String workspace, String queue, int limit,
                                        String owner, Duration lease, String[] kinds, byte[] secret) {
        double leaseSeconds = lease.toMillis() / 1000.0;
        return client.preparedQuery(Table.JOBS.sql("claim"))
                .execute(Tuple.from(Arrays.asList(workspace, queue, limit, owner, leaseSeconds, kinds,
                        secret == null ? null : Buffer.buffer(secret))))
                .map(rows -> toClaimed(workspace, queue, rows));
    }

    private static List<ClaimedJob> toClaimed(String workspace, String queue, RowSet<Row> rows) {
        List<ClaimedJob> jobs = new ArrayList<>(rows.size());
        if (rows.size() == 0) {
            return jobs;
        }
        Columns columns = Columns.of(rows);
        int id = columns.at("id");
        int kind = columns.at("kind");
        int args = columns.at("args");
        int attempt = columns.at("attempt");
        int maxAttempts = columns.at("max_attempts");
        int timeoutSeconds = columns.at("timeout_seconds");
        int runAt = columns.at("run_at");
        int startedAt = columns.at("started_at");
        for (Row row : rows) {
            jobs.add(new ClaimedJob(
                    row.getUUID(id),
                    workspace,
                    queue,
                    row.getString(kind),
                    row.getString(args),
                    row.getInteger(attempt),
                    row.getInteger(maxAttempts),
                    row.getInteger(timeoutSeconds),
                    JobRows.instant(row, runAt),
                    JobRows.instant(row, startedAt)));
        }
        return jobs;
    }
}
