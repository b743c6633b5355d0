package dev.harrier.events;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads the durable record of job events. */
@ApplicationScoped
public class EventStore {

    private final Pool pool;

    public EventStore(Pool pool) {
        this.pool = pool;
    }

    /** Up to {@code limit} events of a job with a sequence number above {@code afterSeq}, in order. */
    public Uni<List<JobEvent>> after(UUID jobId, long afterSeq, int limit) {
        return list(Table.JOB_EVENTS.sql("list_after"), jobId, afterSeq, limit);
    }

    /** The same for log lines only. */
    public Uni<List<JobEvent>> logsAfter(UUID jobId, long afterSeq, int limit) {
        return list(Table.JOB_EVENTS.sql("list_logs_after"), jobId, afterSeq, limit);
    }

    private Uni<List<JobEvent>> list(String sql, UUID jobId, long afterSeq, int limit) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(jobId, afterSeq, limit))
                .map(rows -> {
                    List<JobEvent> events = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        OffsetDateTime at = row.getOffsetDateTime("at");
                        events.add(new JobEvent(row.getUUID("job_id"), row.getLong("seq"), row.getString("type"),
                                at.toInstant(), row.getString("data")));
                    }
                    return events;
                });
    }
}
