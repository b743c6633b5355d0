package dev.harrier.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.queue.JobRows;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.QueueStats;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workspace stream's {@code counts} event, every 2 seconds: per queue, the jobs by status, the
 * age of the oldest pending one, and the jobs finished since the previous event by outcome (what
 * a live chart draws). Read once per workspace for all of its open streams.
 */
@ApplicationScoped
class WorkspaceCounts {

    /** One workspace's counts, as JSON per queue, ready to be filtered by a stream's queue. */
    record Read(Instant at, Map<String, ObjectNode> byQueue) {
    }

    private final QueueStats stats;
    private final Pool pool;
    private final ObjectMapper mapper;
    private final Map<String, Instant> previous = new ConcurrentHashMap<>();

    WorkspaceCounts(QueueStats stats, Pool pool, ObjectMapper mapper) {
        this.stats = stats;
        this.pool = pool;
        this.mapper = mapper;
    }

    Uni<Read> read(String workspace) {
        Instant since = previous.get(workspace);
        return pool.preparedQuery(Table.JOBS.sql("finished_between"))
                .execute(Tuple.of(workspace, since == null ? null : JobRows.offset(since)))
                .flatMap(finished -> stats.list(workspace).map(queues -> {
                    Instant at = null;
                    Map<String, Map<String, Long>> done = new HashMap<>();
                    for (Row row : finished) {
                        at = row.getOffsetDateTime("at").toInstant();
                        if (row.getString("queue") != null) {
                            done.computeIfAbsent(row.getString("queue"), q -> new HashMap<>()).put(row.getString("status"), row.getLong("n"));
                        }
                    }
                    previous.put(workspace, at);
                    Map<String, ObjectNode> byQueue = new LinkedHashMap<>();
                    for (QueueStats.Stats queue : queues) {
                        ObjectNode node = mapper.createObjectNode().put("name", queue.settings().name());
                        ObjectNode counts = node.putObject("counts");
                        queue.counts().forEach((status, n) -> counts.put(status.wire(), n));
                        node.put("oldestPendingAgeSeconds", queue.oldestPendingAgeSeconds());
                        ObjectNode outcomes = node.putObject("finished");
                        Map<String, Long> finishedHere = done.getOrDefault(queue.settings().name(), Map.of());
                        for (JobStatus status : List.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)) {
                            outcomes.put(status.wire(), finishedHere.getOrDefault(status.wire(), 0L));
                        }
                        byQueue.put(queue.settings().name(), node);
                    }
                    return new Read(at, byQueue);
                }));
    }

    /** The event's JSON for a stream: every queue, or the one it follows. */
    String json(Read read, String queue) {
        ObjectNode event = mapper.createObjectNode().put("at", read.at() == null ? null : read.at().toString());
        ArrayNode queues = event.putArray("queues");
        read.byQueue().forEach((name, node) -> {
            if (queue == null || queue.equals(name)) {
                queues.add(node);
            }
        });
        return event.toString();
    }

    /** A workspace with no stream left forgets its last tick (the next first one counts nothing). */
    void forget(String workspace) {
        previous.remove(workspace);
    }
}
