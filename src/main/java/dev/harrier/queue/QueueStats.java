package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A workspace's queues with their settings, job counts per status and oldest pending age. */
@ApplicationScoped
public class QueueStats {

    /** One queue as the API shows it. */
    public record Stats(QueueSettings settings, Map<JobStatus, Long> counts, long oldestPendingAgeSeconds) {
    }

    private final Pool pool;

    public QueueStats(Pool pool) {
        this.pool = pool;
    }

    /** Every queue of the workspace with its counts of every status (a read of all its jobs). */
    public Uni<List<Stats>> list(String workspace) {
        return list(workspace, Table.JOBS.sql("count_by_queue"));
    }

    /**
     * Every queue with its counts of the statuses that are not terminal; its terminal counts are 0.
     * A read of the unfinished jobs only, however many finished ones the table keeps.
     */
    public Uni<List<Stats>> listUnfinished(String workspace) {
        return list(workspace, Table.JOBS.sql("count_unfinished_by_queue"));
    }

    private Uni<List<Stats>> list(String workspace, String countStatement) {
        Uni<Map<String, QueueSettings>> settings = pool.preparedQuery(Table.QUEUES.sql("list_in_workspace")).execute(Tuple.of(workspace))
                .map(rows -> {
                    Map<String, QueueSettings> byName = new LinkedHashMap<>();
                    for (Row row : rows) {
                        byName.put(row.getString("name"), new QueueSettings(workspace, row.getString("name"),
                                row.getBoolean("paused"), row.getInteger("concurrency")));
                    }
                    return byName;
                });
        return settings.flatMap(byName -> pool.preparedQuery(countStatement).execute(Tuple.of(workspace)).map(rows -> {
            Map<String, Map<JobStatus, Long>> counts = new LinkedHashMap<>();
            Map<String, Long> oldest = new LinkedHashMap<>();
            for (Row row : rows) {
                String queue = row.getString("queue");
                JobStatus status = JobStatus.fromWire(row.getString("status"));
                counts.computeIfAbsent(queue, q -> emptyCounts()).put(status, row.getLong("jobs"));
                if (status == JobStatus.PENDING) {
                    oldest.put(queue, Math.round(row.getDouble("oldest")));
                }
                byName.computeIfAbsent(queue, q -> new QueueSettings(workspace, q, false, null));
            }
            return byName.values().stream()
                    .map(q -> new Stats(q, counts.getOrDefault(q.name(), emptyCounts()), oldest.getOrDefault(q.name(), 0L)))
                    .toList();
        }));
    }

    private static Map<JobStatus, Long> emptyCounts() {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            counts.put(status, 0L);
        }
        return counts;
    }
}
