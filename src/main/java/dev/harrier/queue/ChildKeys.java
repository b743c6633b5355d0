package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The keys of a parent's children (unique under the parent): a repeated children call finds its children by them. */
@ApplicationScoped
public class ChildKeys {

    /** The children of {@code parent} that hold some of {@code keys}, by key. */
    public Uni<Map<String, Job>> existing(SqlClient client, UUID parent, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery(Table.JOBS.sql("list_children_by_key"))
                .execute(Tuple.of(parent, keys.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Job> found = new HashMap<>();
                    rows.forEach(row -> found.put(row.getString("child_key"), JobRows.toJob(row)));
                    return found;
                });
    }

    /** Sets the keys of new children, in the transaction that created them. */
    public Uni<Void> set(SqlClient transaction, List<UUID> ids, List<String> keys) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return transaction.preparedQuery(Table.JOBS.sql("set_child_keys"))
                .execute(Tuple.of(ids.toArray(UUID[]::new), keys.toArray(String[]::new)))
                .replaceWithVoid();
    }
}
