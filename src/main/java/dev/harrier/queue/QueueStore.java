package dev.harrier.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** The {@code harrier.queues} table: which queues exist, paused, and their concurrency. */
@ApplicationScoped
public class QueueStore {

    static final String QUEUE_LIST = """
            SELECT workspace, name, paused, concurrency FROM harrier.queues ORDER BY workspace, name""";

    /**
     * Creates or changes a queue; a null argument keeps the current value. Every instance hears of
     * it at once through NOTIFY (and within its refresh interval if the notification is lost).
     */
    static final String QUEUE_UPSERT = """
            INSERT INTO harrier.queues AS q (workspace, name, paused, concurrency)
            VALUES ($1, $2, coalesce($3, false), $4)
            ON CONFLICT (workspace, name) DO UPDATE
            SET paused = coalesce($3, q.paused),
                concurrency = CASE WHEN $5 THEN $4 ELSE q.concurrency END,
                updated_at = now()
            RETURNING workspace, name, paused, concurrency,
                      pg_notify('harrier_queues', workspace || '/' || name) IS NOT NULL AS notified,
                      pg_notify('harrier_jobs', workspace || '/' || name) IS NOT NULL AS woken""";

    private final Pool pool;

    public QueueStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<QueueSettings>> list() {
        return pool.query(QUEUE_LIST).execute().map(rows -> {
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
        return pool.preparedQuery(QUEUE_UPSERT)
                .execute(Tuple.from(java.util.Arrays.asList(workspace, name, paused, concurrency, setConcurrency)))
                .map(rows -> toSettings(rows.iterator().next()));
    }

    private static QueueSettings toSettings(Row row) {
        return new QueueSettings(row.getString("workspace"), row.getString("name"),
                row.getBoolean("paused"), row.getInteger("concurrency"));
    }
}
