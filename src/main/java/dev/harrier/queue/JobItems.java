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
import java.util.UUID;

/** The {@code harrier.job_items} table: per-item results of fan-out jobs. */
@ApplicationScoped
public class JobItems {


    private final Pool pool;

    public JobItems(Pool pool) {
        this.pool = pool;
    }

    /** Up to {@code limit} items with an index above {@code afterIndex}, optionally of one status. */
    public Uni<List<JobItem>> after(UUID jobId, int afterIndex, String status, int limit) {
        return pool.preparedQuery(Table.JOB_ITEMS.sql("list_after"))
                .execute(Tuple.from(Arrays.asList(jobId, afterIndex, status, limit)))
                .map(rows -> {
                    List<JobItem> items = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        items.add(new JobItem(row.getInteger("idx"), row.getString("input"), row.getString("status"),
                                row.getInteger("http_status"), row.getInteger("attempts"), row.getInteger("duration_ms"),
                                row.getString("data"), row.getString("error"), JobRows.instant(row, "finished_at")));
                    }
                    return items;
                });
    }
}
