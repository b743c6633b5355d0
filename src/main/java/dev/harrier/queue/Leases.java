package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Renewal of the leases an instance holds on its running jobs: one statement for all of them. */
@ApplicationScoped
public class Leases {

    /** A job whose lease was renewed, and whether a client asked to cancel it. */
    public record Held(UUID jobId, boolean cancelRequested) {
    }

    private final Pool pool;

    public Leases(Pool pool) {
        this.pool = pool;
    }

    /** Of {@code believed}, the jobs {@code owner} no longer holds: rescued elsewhere, or ended. */
    public Uni<Set<UUID>> notHeld(String owner, Collection<UUID> believed) {
        if (believed.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery(Table.JOBS.sql("list_not_held"))
                .execute(Tuple.of(believed.toArray(UUID[]::new), owner))
                .map(rows -> {
                    Set<UUID> lost = new HashSet<>();
                    rows.forEach(row -> lost.add(row.getUUID("id")));
                    return lost;
                });
    }

    /** Extends by {@code lease} the leases {@code owner} holds on {@code running}; emits the jobs renewed. */
    public Uni<List<Held>> renew(String owner, Duration lease, Collection<UUID> running) {
        return pool.preparedQuery(Table.JOBS.sql("renew_leases"))
                .execute(Tuple.of(owner, lease.toMillis() / 1000.0, running.toArray(UUID[]::new)))
                .map(rows -> {
                    List<Held> held = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        held.add(new Held(row.getUUID("id"), row.getBoolean("cancel_requested")));
                    }
                    return held;
                });
    }
}
