package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;

/**
 * The permits of queues' global concurrency that an instance holds ({@code harrier.queue_holds},
 * V18): renewed by the heartbeat, handed back when no longer used, released as the instance stops.
 * A claim asks for them in its own statement ({@link JobClaimer#claimHeld}).
 */
@ApplicationScoped
public class QueueHolds {

    /**
     * What an instance asks of a queue whose limit is {@code concurrency}: {@code need} permits,
     * {@code inUse} of them by running handlers, {@code supplied} claimed jobs waiting for one, and
     * (in a claim) {@code ahead} jobs to claim beyond the free permits.
     */
    public record Ask(int concurrency, int need, int inUse, int supplied, int ahead) {
    }

    /** Permits granted to the instance, and its even share while other instances wait for some. */
    public record Held(int granted, int share) {
    }

    private final Pool pool;
    private final JobClaimer claimer;

    public QueueHolds(Pool pool, JobClaimer claimer) {
        this.pool = pool;
        this.claimer = claimer;
    }

    /** Renews (or hands back, for a smaller need) {@code owner}'s permits of a queue. */
    public Uni<Held> hold(String workspace, String queue, String owner, Duration lease, Ask ask) {
        Tuple params = Tuple.from(Arrays.asList(workspace, queue, owner, ask.need(), ask.inUse(), ask.supplied(),
                ask.concurrency(), claimer.handled(), lease.toMillis() / 1000.0));
        return pool.preparedQuery(Table.QUEUE_HOLDS.sql("hold")).execute(params)
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Held(row.getInteger("granted"), row.getInteger("share"));
                });
    }

    /** Every permit {@code owner} holds of one queue (it lost its limit). */
    public Uni<Void> release(String workspace, String queue, String owner) {
        return pool.preparedQuery(Table.QUEUE_HOLDS.sql("release")).execute(Tuple.of(workspace, queue, owner)).replaceWithVoid();
    }

    /** Every permit {@code owner} holds, as it stops. */
    public Uni<Void> releaseAll(String owner) {
        return pool.preparedQuery(Table.QUEUE_HOLDS.sql("release_instance")).execute(Tuple.of(owner)).replaceWithVoid();
    }
}
