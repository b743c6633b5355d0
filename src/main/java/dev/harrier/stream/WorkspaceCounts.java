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
import java.time.Duration;
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
 *
 * <p>A full count reads every job the workspace keeps (7 days of finished ones by default: millions
 * at a few dozen jobs a second). So it runs only as often as costs PostgreSQL at most a
 * {@link #FULL_READ_SHARE}th of its time: each tick on a small table, every minute or so at 10
 * million jobs (bench/README.md, "Counts"). Between two full counts a tick reads the unfinished
 * jobs only, and the finished counts move on from the last full count by what finished since;
 * what retention deleted or a retry took out of {@code failed} shows at the next full count.
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
    private final Map<String, Finished> finishedCounts = new ConcurrentHashMap<>();

    /** A full count may take 1 / FULL_READ_SHARE of the time: it waits this many times its own length. */
    static final int FULL_READ_SHARE = 50;

    /** The shortest time between two full counts of a workspace (tests lengthen it). */
    private volatile long fullReadAtLeastEveryNanos;

    private static final List<JobStatus> FINISHED = List.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED);

    /** A workspace's finished jobs per queue and status: the last full count plus what finished since. */
    private static final class Finished {
        final Map<String, Map<String, Long>> byQueue = new HashMap<>();
        final long nextFullAt;

        Finished(long nextFullAt) {
            this.nextFullAt = nextFullAt;
        }
    }

    WorkspaceCounts(QueueStats stats, Pool pool, ObjectMapper mapper) {
        this.stats = stats;
        this.pool = pool;
        this.mapper = mapper;
    }

    Uni<Read> read(String workspace) {
        Instant since = previous.get(workspace);
        Finished known = finishedCounts.get(workspace);
        boolean full = known == null || System.nanoTime() - known.nextFullAt >= 0;
        long started = System.nanoTime();
        return pool.preparedQuery(Table.JOBS.sql("finished_between"))
                .execute(Tuple.of(workspace, since == null ? null : JobRows.offset(since)))
                .flatMap(finished -> (full ? stats.list(workspace) : stats.listUnfinished(workspace)).map(queues -> {
                    Instant at = null;
                    Map<String, Map<String, Long>> done = new HashMap<>();
                    for (Row row : finished) {
                        at = row.getOffsetDateTime("at").toInstant();
                        if (row.getString("queue") != null) {
                            done.computeIfAbsent(row.getString("queue"), q -> new HashMap<>()).put(row.getString("status"), row.getLong("n"));
                        }
                    }
                    previous.put(workspace, at);
                    Finished counted = full ? counted(workspace, queues, System.nanoTime() - started) : moveOn(known, done);
                    Map<String, ObjectNode> byQueue = new LinkedHashMap<>();
                    for (QueueStats.Stats queue : queues) {
                        ObjectNode node = mapper.createObjectNode().put("name", queue.settings().name());
                        ObjectNode counts = node.putObject("counts");
                        queue.counts().forEach((status, n) -> counts.put(status.wire(), n));
                        counted.byQueue.getOrDefault(queue.settings().name(), Map.of()).forEach(counts::put);
                        node.put("oldestPendingAgeSeconds", queue.oldestPendingAgeSeconds());
                        ObjectNode outcomes = node.putObject("finished");
                        Map<String, Long> finishedHere = done.getOrDefault(queue.settings().name(), Map.of());
                        for (JobStatus status : FINISHED) {
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

    /** For tests: full counts at most this often (their own length times {@link #FULL_READ_SHARE} still applies). */
    void fullReadAtLeastEvery(Duration interval) {
        fullReadAtLeastEveryNanos = interval.toNanos();
    }

    /** A workspace with no stream left forgets its last tick (the next first one counts nothing). */
    void forget(String workspace) {
        previous.remove(workspace);
        finishedCounts.remove(workspace);
    }

    /** A full count's finished jobs; the next full count waits {@link #FULL_READ_SHARE} times as long as this one took. */
    private Finished counted(String workspace, List<QueueStats.Stats> queues, long tookNanos) {
        Finished counted = new Finished(System.nanoTime() + Math.max(tookNanos * FULL_READ_SHARE, fullReadAtLeastEveryNanos));
        for (QueueStats.Stats queue : queues) {
            Map<String, Long> finished = counted.byQueue.computeIfAbsent(queue.settings().name(), q -> new HashMap<>());
            for (JobStatus status : FINISHED) {
                finished.put(status.wire(), queue.counts().getOrDefault(status, 0L));
            }
        }
        finishedCounts.put(workspace, counted);
        return counted;
    }

    /** The last full count, plus what finished since the previous tick. */
    private static Finished moveOn(Finished known, Map<String, Map<String, Long>> done) {
        done.forEach((queue, outcomes) -> outcomes.forEach((status, n) -> known.byQueue
                .computeIfAbsent(queue, q -> new HashMap<>()).merge(status, n, Long::sum)));
        return known;
    }
}
