package dev.harrier.queue;

import dev.harrier.sql.Table;
import dev.harrier.time.RetryBackoff;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The leases of jobs claimed by remote workers, told apart by their token's hash: whether a token
 * still holds its job's attempt, a heartbeat's renewal, and what became of an attempt a token held.
 */
@ApplicationScoped
public class RemoteLeases {

    /** The running attempt a token holds. */
    public record Held(UUID id, String workspace, String queue, String kind, int attempt, int maxAttempts, String owner,
                       Instant leaseExpiresAt, boolean cancelRequested, Instant timeoutAt, boolean timedOut,
                       RetryBackoff backoff) {
    }

    /** A renewed lease. */
    public record Renewed(int attempt, Instant leaseExpiresAt, boolean cancelRequested, boolean timedOut) {
    }

    /** The status of a job whose last remote attempt a token held, and that attempt. */
    public record Ended(JobStatus status, int attempt) {
    }

    private final Pool pool;

    public RemoteLeases(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Held>> held(String workspace, UUID id, byte[] tokenHash, Duration defaultTimeout) {
        return pool.preparedQuery(Table.JOBS.sql("check_lease"))
                .execute(Tuple.of(id, workspace, Buffer.buffer(tokenHash), defaultTimeout.toSeconds()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Held(row.getUUID("id"), row.getString("workspace"), row.getString("queue"),
                            row.getString("kind"), row.getInteger("attempt"), row.getInteger("max_attempts"),
                            row.getString("lease_owner"), JobRows.instant(row, "lease_expires_at"),
                            row.getBoolean("cancel_requested"), JobRows.instant(row, "timeout_at"), row.getBoolean("timed_out"),
                            RetryBackoffs.fromJson(row.getString("backoff"))));
                });
    }

    /** Extends the lease by {@code lease}, never past the attempt's timeout; empty when the token lost it. */
    public Uni<Optional<Renewed>> renew(String workspace, UUID id, byte[] tokenHash, Duration lease, Duration defaultTimeout) {
        return pool.preparedQuery(Table.JOBS.sql("renew_remote_lease"))
                .execute(Tuple.of(id, workspace, Buffer.buffer(tokenHash), lease.toMillis() / 1000.0, defaultTimeout.toSeconds()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Renewed(row.getInteger("attempt"), JobRows.instant(row, "lease_expires_at"),
                            row.getBoolean("cancel_requested"), row.getBoolean("timed_out")));
                });
    }

    /** The job's status when its last remote attempt was the token's and ended by the worker's own call. */
    public Uni<Optional<Ended>> endedWith(String workspace, UUID id, byte[] tokenHash) {
        return pool.preparedQuery(Table.JOBS.sql("get_by_lease_token"))
                .execute(Tuple.of(id, workspace, Buffer.buffer(tokenHash)))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(new Ended(JobStatus.fromWire(rows.iterator().next().getString("status")),
                                rows.iterator().next().getInteger("attempt"))));
    }

    /** Forgets the token of an attempt Harrier ended itself: a later call with it is refused. */
    public Uni<Void> forget(UUID id, byte[] tokenHash) {
        return pool.preparedQuery(Table.JOBS.sql("forget_lease_token")).execute(Tuple.of(id, Buffer.buffer(tokenHash)))
                .replaceWithVoid();
    }
}
