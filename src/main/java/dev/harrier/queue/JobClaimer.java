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
import java.util.function.BiFunction;

/**
 * Claims pending jobs of one queue for one owner, in one statement per claim: for the engine, the
 * kinds it has a handler for; for a remote worker, the remote kinds it asked for, each job with
 * a lease token of its own.
 */
@ApplicationScoped
public class JobClaimer {

    private final Pool pool;
    private final HandlerRegistry handlers;
    private final EnqueueNotices notices;
    private String[] handled;

    public JobClaimer(Pool pool, HandlerRegistry handlers, EnqueueNotices notices) {
        this.pool = pool;
        this.handlers = handlers;
        this.notices = notices;
    }

    /** A remote worker's claim: the jobs, whole, and whether the queue's limit stopped it. */
    public record RemoteBatch(List<Job> jobs, boolean atLimit) {
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
        double seconds = lease.toMillis() / 1000.0;
        return limited(workspace, queue, limit, concurrency, (client, room) -> client.preparedQuery(Table.JOBS.sql("claim"))
                        .execute(Tuple.from(Arrays.asList(workspace, queue, room, owner, seconds, handled)))
                        .map(rows -> toClaimed(workspace, queue, rows)))
                .map(claimed -> new Claim(claimed.jobs(), claimed.atLimit()));
    }

    /**
     * A remote worker's claim: jobs of {@code kinds} only, each leased with a token derived from
     * {@code secret} ({@link LeaseTokens}), under the same rules as the engine's. Their running
     * events are announced once the claim has committed ({@link EnqueueNotices}).
     */
    public Uni<RemoteBatch> claimRemote(String workspace, String queue, int limit, Integer concurrency, String owner,
                                        Duration lease, String[] kinds, byte[] secret) {
        double seconds = lease.toMillis() / 1000.0;
        return limited(workspace, queue, limit, concurrency, (client, room) -> client.preparedQuery(Table.JOBS.sql("claim_remote"))
                        .execute(Tuple.from(Arrays.asList(workspace, queue, room, owner, seconds, kinds, Buffer.buffer(secret))))
                        .map(JobRows::toJobs))
                .invoke(claimed -> notices.announced(claimed.jobs()))
                .map(claimed -> new RemoteBatch(claimed.jobs(), claimed.atLimit()));
    }

    private record Limited<T>(List<T> jobs, boolean atLimit) {
    }

    /** Runs a claim of at most {@code limit}, and under a queue's {@code concurrency} when it has one. */
    private <T> Uni<Limited<T>> limited(String workspace, String queue, int limit, Integer concurrency,
                                        BiFunction<SqlClient, Integer, Uni<List<T>>> claim) {
        if (concurrency == null) {
            return claim.apply(pool, limit).map(jobs -> new Limited<>(jobs, false));
        }
        return pool.withTransaction(tx -> tx.preparedQuery(Table.JOBS.sql("claim_lock"))
                .execute(Tuple.of(workspace, queue))
                .flatMap(locked -> tx.preparedQuery(Table.JOBS.sql("count_running")).execute(Tuple.of(workspace, queue)))
                .map(rows -> Math.max(0, concurrency - rows.iterator().next().getLong("running").intValue()))
                .flatMap(room -> room == 0
                        ? Uni.createFrom().item(new Limited<T>(List.of(), true))
                        : claim.apply(tx, Math.min(limit, room))
                                // Took all the room the limit left: more may wait behind it.
                                .map(jobs -> new Limited<>(jobs, room <= limit && jobs.size() == room))));
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
        int tags = columns.at("tags");
        int backoff = columns.at("backoff");
        for (Row row : rows) {
            String[] tagList = row.getArrayOfStrings(tags);
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
                    JobRows.instant(row, startedAt),
                    tagList == null || tagList.length == 0 ? List.of() : List.of(tagList),
                    row.getString(backoff)));
        }
        return jobs;
    }
}
