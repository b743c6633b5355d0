package dev.harrier.limit;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The shared limits of the workspaces: create or replace, read, list, delete. */
@ApplicationScoped
public class LimitStore {

    /** What a PUT gives: the limit, and whether it was created (not replaced). */
    public record Put(Limit limit, boolean created) {
    }

    private final Pool pool;

    public LimitStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Put> put(Limit limit) {
        return pool.preparedQuery(Table.LIMITS.sql("upsert"))
                .execute(Tuple.from(Arrays.asList(limit.workspace(), limit.name(), limit.requests(), limit.perSeconds(),
                        limit.concurrency())))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Put(read(limit.workspace(), row), row.getBoolean("created"));
                });
    }

    public Uni<Optional<Limit>> get(String workspace, String name) {
        return pool.preparedQuery(Table.LIMITS.sql("get")).execute(Tuple.of(workspace, name))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(read(workspace, rows.iterator().next())));
    }

    public Uni<List<Limit>> list(String workspace) {
        return pool.preparedQuery(Table.LIMITS.sql("list")).execute(Tuple.of(workspace))
                .map(rows -> {
                    List<Limit> limits = new ArrayList<>();
                    rows.forEach(row -> limits.add(read(workspace, row)));
                    return limits;
                });
    }

    public Uni<Long> count(String workspace) {
        return pool.preparedQuery(Table.LIMITS.sql("count_in_workspace")).execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().next().getLong("limits"));
    }

    public Uni<Boolean> delete(String workspace, String name) {
        return pool.preparedQuery(Table.LIMITS.sql("delete")).execute(Tuple.of(workspace, name)).map(rows -> rows.size() > 0);
    }

    private static Limit read(String workspace, Row row) {
        return new Limit(workspace, row.getString("name"), row.getInteger("requests"), row.getDouble("per_seconds"),
                row.getInteger("concurrency"), row.getOffsetDateTime("created_at").toInstant(),
                row.getOffsetDateTime("updated_at").toInstant());
    }
}
