package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The remote kinds of the workspaces: declare or replace, read, list, delete. */
@ApplicationScoped
public class KindStore {

    /** What a PUT gives: the kind, and whether it was created (not replaced). */
    public record Put(RemoteKind kind, boolean created) {
    }

    private final Pool pool;

    public KindStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Put> put(RemoteKind kind) {
        return pool.preparedQuery(Table.KINDS.sql("upsert"))
                .execute(Tuple.from(Arrays.asList(kind.workspace(), kind.name(), kind.argsSchemaJson(), kind.timeoutSeconds(),
                        kind.maxAttempts(), RetryBackoffs.toJson(kind.backoff()), kind.limit())))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Put(read(row), row.getBoolean("created"));
                });
    }

    public Uni<Optional<RemoteKind>> get(String workspace, String name) {
        return named(pool, workspace, List.of(name)).map(found -> Optional.ofNullable(found.get(name)));
    }

    /** The kinds of these names that the workspace declared, by name. */
    public Uni<Map<String, RemoteKind>> named(String workspace, Collection<String> names) {
        return named(pool, workspace, names);
    }

    /** The same, in the caller's transaction (an enqueue's). */
    public Uni<Map<String, RemoteKind>> named(SqlClient client, String workspace, Collection<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery(Table.KINDS.sql("list_named"))
                .execute(Tuple.of(workspace, names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, RemoteKind> found = new LinkedHashMap<>();
                    all(rows).forEach(kind -> found.put(kind.name(), kind));
                    return found;
                });
    }

    public Uni<List<RemoteKind>> list(String workspace) {
        return pool.preparedQuery(Table.KINDS.sql("list")).execute(Tuple.of(workspace)).map(this::all);
    }

    public Uni<Long> count(String workspace) {
        return pool.preparedQuery(Table.KINDS.sql("count_in_workspace")).execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().next().getLong("kinds"));
    }

    /** True when there was such a kind. */
    public Uni<Boolean> delete(String workspace, String name) {
        return pool.preparedQuery(Table.KINDS.sql("delete")).execute(Tuple.of(workspace, name)).map(rows -> rows.size() > 0);
    }

    private List<RemoteKind> all(RowSet<Row> rows) {
        List<RemoteKind> kinds = new ArrayList<>(rows.size());
        rows.forEach(row -> kinds.add(read(row)));
        return kinds;
    }

    private RemoteKind read(Row row) {
        return new RemoteKind(row.getString("workspace"), row.getString("name"), row.getString("args_schema"),
                row.getInteger("timeout_seconds"), row.getInteger("max_attempts"),
                RetryBackoffs.fromJson(row.getString("backoff")), row.getString("limit_name"),
                JobRows.instant(row, "created_at"), JobRows.instant(row, "updated_at"));
    }

    /** How many of the workspace's kinds count their claims against the limit. */
    public Uni<Long> countNaming(String workspace, String limit) {
        return pool.preparedQuery(Table.KINDS.sql("count_naming_limit")).execute(Tuple.of(workspace, limit))
                .map(rows -> rows.iterator().next().getLong("kinds"));
    }
}
