package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code harrier.queues} table: which queues exist, paused, and their concurrency. */
@ApplicationScoped
public class QueueStore {



    private final Pool pool;

    public QueueStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<QueueSettings>> list() {
        return pool.query(Table.QUEUES.sql("list")).execute().map(rows -> {
            List<QueueSettings> queues = new ArrayList<>();
            for (Row row : rows) {
                queues.add(toSettings(row));
            }
            return queues;
        });
    }

    /** The queues of one workspace, by name. */
    public Uni<List<QueueSettings>> list(String workspace) {
        return pool.preparedQuery(Table.QUEUES.sql("list_in_workspace")).execute(Tuple.of(workspace)).map(rows -> {
            List<QueueSettings> queues = new ArrayList<>();
            for (Row row : rows) {
                queues.add(toSettings(row));
            }
            return queues;
        });
    }

    /**
     * Sets {@code paused} (null: unchanged) and, when {@code setConcurrency}, the concurrency
     * (null: no global limit).
     */
    public Uni<QueueSettings> update(String workspace, String name, Boolean paused, boolean setConcurrency, Integer concurrency) {
        return pool.preparedQuery(Table.QUEUES.sql("upsert"))
                .execute(Tuple.from(Arrays.asList(workspace, name, paused, concurrency, setConcurrency)))
                .map(rows -> toSettings(rows.iterator().next()));
    }

    private static QueueSettings toSettings(Row row) {
        return new QueueSettings(row.getString("workspace"), row.getString("name"),
                row.getBoolean("paused"), row.getInteger("concurrency"));
    }
}
