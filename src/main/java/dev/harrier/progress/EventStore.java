package dev.harrier.progress;

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
        return list(EventSql.EVENT_LIST_AFTER, jobId, afterSeq, limit);
    }

    private record Read(UUID jobId, long afterSeq, int limit) {
    }

    private record InFlight(long startedNanos, Uni<List<JobEvent>> result) {
    }

    private final java.util.concurrent.ConcurrentHashMap<Read, InFlight> reading = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The same as {@link #after}, but concurrent calls for the same job and position share one
     * query: the streams that follow one job are cued by the same notification and ask together.
     * A caller joins a query only if it started after {@code notBeforeNanos}, the arrival of the
     * job's latest notification: an older query may have run before that event was committed.
     * Measured with 10 streams a job: a tenth of the queries (bench/README.md).
     */
    public Uni<List<JobEvent>> afterShared(UUID jobId, long afterSeq, int limit, long notBeforeNanos) {
        Read read = new Read(jobId, afterSeq, limit);
        return Uni.createFrom().deferred(() -> reading.compute(read, (r, current) -> {
            if (current != null && current.startedNanos() >= notBeforeNanos) {
                return current;
            }
            java.util.concurrent.atomic.AtomicReference<InFlight> self = new java.util.concurrent.atomic.AtomicReference<>();
            InFlight started = new InFlight(System.nanoTime(), after(jobId, afterSeq, limit)
                    .onTermination().invoke(() -> reading.remove(r, self.get()))
                    .memoize().indefinitely());
            self.set(started);
            return started;
        }).result());
    }

    /** The same for log lines only. */
    public Uni<List<JobEvent>> logsAfter(UUID jobId, long afterSeq, int limit) {
        return list(EventSql.EVENT_LIST_LOGS_AFTER, jobId, afterSeq, limit);
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
