package dev.harrier.queue;

import dev.harrier.handler.HandlerRegistry;
import dev.harrier.sql.Columns;
import dev.harrier.sql.SmallBatches;
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
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Claims pending jobs of one queue for one owner, in one statement per claim: for the engine, the
 * kinds it has a handler for; for a remote worker, the remote kinds it asked for, each job with
 * a lease token of its own.
 */
@ApplicationScoped
public class JobClaimer {

    /** No returned jobs to leave out of a queue's running count (a remote worker's claim). */
    private static final UUID[] NONE = new UUID[0];

    private final Pool pool;
    private final SmallBatches smallBatches;
    private final HandlerRegistry handlers;
    private final EnqueueNotices notices;
    private String[] handled;

    public JobClaimer(Pool pool, SmallBatches smallBatches, HandlerRegistry handlers, EnqueueNotices notices) {
        this.pool = pool;
        this.smallBatches = smallBatches;
        this.handlers = handlers;
        this.notices = notices;
    }

    /** A remote worker's claim: the jobs, whole, and whether the queue's limit stopped it. */
    /**
     * {@code limitedFor}: when a shared limit's rate held the claim back, how long until its next
     * slot is due (null otherwise).
     */
    public record RemoteBatch(List<Job> jobs, boolean atLimit, Duration limitedFor) {
    }

    /**
     * Claims up to {@code limit} jobs of a queue without a global {@code concurrency}: one
     * statement, planned once.
     */
    public Uni<Claim> claim(String workspace, String queue, int limit, String owner, Duration lease) {
        Tuple params = Tuple.of(workspace, queue, limit, owner, lease.toMillis() / 1000.0, handled());
        return smallBatches.planOnce(client -> client.preparedQuery(Table.JOBS.sql("claim")).execute(params))
                .map(rows -> Claim.of(toClaimed(workspace, queue, rows)));
    }

    /**
     * Claims jobs of a queue with a global concurrency, in one statement with the permits of it
     * this owner holds ({@link QueueHolds}): the hold renewed for what {@code ask} needs, then as
     * many jobs as the permits free of running handlers, plus those wanted ahead of them, less the
     * ones already waiting, at most {@code limit}. The claim says the permits granted, and whether
     * they (not an empty queue) stopped it ({@link Claim#atLimit}).
     */
    public Uni<Claim> claimHeld(String workspace, String queue, int limit, String owner, Duration lease, QueueHolds.Ask ask) {
        Tuple params = Tuple.from(Arrays.asList(workspace, queue, limit, owner, lease.toMillis() / 1000.0, handled(),
                ask.concurrency(), ask.need(), ask.inUse(), ask.supplied(), ask.ahead()));
        return smallBatches.planOnce(client -> client.preparedQuery(Table.JOBS.sql("claim_held")).execute(params))
                .map(rows -> {
                    List<ClaimedJob> jobs = toClaimed(workspace, queue, rows);
                    Row first = rows.iterator().next();
                    int room = first.getInteger("room");
                    QueueHolds.Held held = new QueueHolds.Held(first.getInteger("granted"), first.getInteger("share"));
                    // Took all the room the permits left, or none was free while jobs were pending: more wait behind them.
                    boolean atLimit = room < limit && jobs.size() == room && (room > 0 || first.getBoolean("pending"));
                    return new Claim(jobs, atLimit, held);
                });
    }

    /** The kinds this instance has handlers for. */
    String[] handled() {
        if (handled == null) {
            handled = handlers.kinds().toArray(String[]::new);
        }
        return handled;
    }

    /**
     * A remote worker's claim: jobs of {@code kinds} only, each leased with a token derived from
     * {@code secret} ({@link LeaseTokens}), under the same rules as the engine's. Their running
     * events are announced once the claim has committed ({@link EnqueueNotices}).
     */
    public Uni<RemoteBatch> claimRemote(String workspace, String queue, int limit, Integer concurrency, String owner,
                                        Duration lease, String[] kinds, byte[] secret) {
        return claimRemote(workspace, queue, limit, concurrency, owner, lease, kinds, secret, new String[0]);
    }

    /**
     * The same, every job counted against the shared limits {@code limits}: in one transaction
     * that locks them, no more jobs than their concurrency leaves (their running jobs counted) and
     * their request slots due now allow; the slots of the jobs claimed are taken.
     */
    public Uni<RemoteBatch> claimRemote(String workspace, String queue, int limit, Integer concurrency, String owner,
                                        Duration lease, String[] kinds, byte[] secret, String[] limits) {
        double seconds = lease.toMillis() / 1000.0;
        String[] counted = limits.length == 0 ? null : limits;
        BiFunction<SqlClient, Integer, Uni<List<Job>>> claim = (client, room) -> client.preparedQuery(Table.JOBS.sql("claim_remote"))
                .execute(Tuple.from(Arrays.asList(workspace, queue, room, owner, seconds, kinds, Buffer.buffer(secret), counted)))
                .map(JobRows::toJobs);
        if (counted == null && concurrency == null) {
            // One statement, no transaction: planned once.
            return smallBatches.planOnce(client -> claim.apply(client, limit))
                    .invoke(notices::announced)
                    .map(jobs -> new RemoteBatch(jobs, false, null));
        }
        if (counted == null) {
            return limited(pool, workspace, queue, limit, concurrency, claim)
                    .invoke(claimed -> notices.announced(claimed.jobs()))
                    .map(claimed -> new RemoteBatch(claimed.jobs(), claimed.atLimit(), null));
        }
        return pool.withTransaction(tx -> tx.preparedQuery(Table.LIMITS.sql("lock"))
                        .execute(Tuple.of(workspace, limits))
                        .flatMap(locked -> tx.preparedQuery(Table.LIMITS.sql("claim_room")).execute(Tuple.of(workspace, limits))
                                .map(rows -> SharedRoom.of(rows, locked.size() == limits.length ? limits.length : Integer.MAX_VALUE)))
                        .flatMap(room -> {
                            if (room.jobs() == 0) {
                                return Uni.createFrom().item(new RemoteBatch(List.of(), true, room.rateBound() ? room.nextSlotIn() : null));
                            }
                            return limited(tx, workspace, queue, Math.min(limit, room.jobs()), concurrency, claim)
                                    .flatMap(claimed -> claimed.jobs().isEmpty() || !room.hasRate()
                                            ? Uni.createFrom().item(new RemoteBatch(claimed.jobs(), claimed.atLimit(), null))
                                            : tx.preparedQuery(Table.LIMITS.sql("take_claimed"))
                                                    .execute(Tuple.of(workspace, limits, claimed.jobs().size()))
                                                    .map(rows -> new RemoteBatch(claimed.jobs(), true,
                                                            // The rate let these go: look again when its next slot is due.
                                                            claimed.jobs().size() < limit ? nextIn(rows) : null)));
                        }))
                .invoke(claimed -> notices.announced(claimed.jobs()));
    }

    private static Duration nextIn(RowSet<Row> rows) {
        Duration next = Duration.ZERO;
        for (Row row : rows) {
            Duration in = Duration.ofNanos(Math.max(0, Math.round(row.getNumeric("next_in").doubleValue() * 1e9)));
            next = in.compareTo(next) > 0 ? in : next;
        }
        return next;
    }

    /**
     * What a claim's shared limits leave: jobs it may take now; whether one of them has a rate;
     * whether a rate (not a concurrency) is what leaves none, and when its next slot comes.
     */
    private record SharedRoom(int jobs, boolean hasRate, boolean rateBound, Duration nextSlotIn) {

        static SharedRoom of(RowSet<Row> rows, int expected) {
            if (rows.size() < expected) {
                // A limit that does not exist (deleted meanwhile): nothing is claimed under it.
                return new SharedRoom(0, false, false, null);
            }
            int byConcurrency = Integer.MAX_VALUE;
            int byRate = Integer.MAX_VALUE;
            Duration next = null;
            for (Row row : rows) {
                Long room = row.getLong("room");
                if (room != null) {
                    byConcurrency = Math.min(byConcurrency, (int) Math.max(0, room));
                }
                Integer due = row.getInteger("due");
                if (due != null) {
                    byRate = Math.min(byRate, Math.max(0, due));
                    Duration in = Duration.ofNanos(Math.max(0, Math.round(row.getNumeric("next_in").doubleValue() * 1e9)));
                    next = next == null || in.compareTo(next) > 0 ? in : next;
                }
            }
            boolean hasRate = byRate != Integer.MAX_VALUE;
            return new SharedRoom(Math.min(byConcurrency, byRate), hasRate, hasRate && byRate == 0 && byConcurrency > 0, next);
        }
    }

    private record Limited<T>(List<T> jobs, boolean atLimit) {
    }

    /**
     * A remote worker's claim of at most {@code limit}, and under a queue's {@code concurrency}
     * when it has one, on {@code client}: the pool (a transaction of its own when the queue has a
     * limit) or a caller's transaction. (The engine's claim does the same in one statement.)
     */
    private <T> Uni<Limited<T>> limited(SqlClient client, String workspace, String queue, int limit, Integer concurrency,
                                        BiFunction<SqlClient, Integer, Uni<List<T>>> claim) {
        if (concurrency == null) {
            return claim.apply(client, limit).map(jobs -> new Limited<>(jobs, false));
        }
        if (client != pool) {
            return queueLimited(client, workspace, queue, limit, concurrency, claim);
        }
        return pool.withTransaction(tx -> queueLimited(tx, workspace, queue, limit, concurrency, claim));
    }

    private <T> Uni<Limited<T>> queueLimited(SqlClient tx, String workspace, String queue, int limit, int concurrency,
                                             BiFunction<SqlClient, Integer, Uni<List<T>>> claim) {
        // A remote worker's jobs count until their outcomes are written: none is left out.
        return tx.preparedQuery(Table.JOBS.sql("queue_room"))
                .execute(Tuple.of(workspace, queue, concurrency, NONE))
                .map(rows -> rows.iterator().next().getInteger("room"))
                .flatMap(room -> room == 0
                        ? Uni.createFrom().item(new Limited<T>(List.of(), true))
                        : claim.apply(tx, Math.min(limit, room))
                                // Took all the room the limit left: more may wait behind it.
                                .map(jobs -> new Limited<>(jobs, room <= limit && jobs.size() == room)));
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
            if (row.getUUID(id) == null) {
                continue; // the row of a claim that found no job: only its room
            }
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
