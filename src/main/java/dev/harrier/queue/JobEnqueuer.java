package dev.harrier.queue;

import dev.harrier.sql.SmallBatches;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Inserts jobs {@link JobSubmitter} checked, one or thousands in one statement, on the pool or
 * inside a caller's transaction; only the submitter reaches it. Honours unique keys: a job whose key is held by a live
 * job is not created, and the live job is returned as a duplicate.
 */
final class JobEnqueuer {

    /**
     * A key can be held by a job that ends between our insert and our look-up: try again. Each
     * round either creates the job or finds the holder unless the key changed hands once more in
     * between; past this many rounds the client is told so (409) instead of getting a 500.
     */
    static final int UNIQUE_KEY_ROUNDS = 10;
    private static final int CONFLICT_RETRIES = 5;
    private static final Duration CONFLICT_BACKOFF = Duration.ofMillis(5);

    private final Pool pool;
    private final SmallBatches smallBatches;
    private final EnqueueNotices notices;

    JobEnqueuer(Pool pool, SmallBatches smallBatches, EnqueueNotices notices) {
        this.pool = pool;
        this.smallBatches = smallBatches;
        this.notices = notices;
    }

    /**
     * On the pool. With unique keys an enqueue may take more than one statement, so it then runs in
     * a transaction of its own: a batch is all or nothing. Its notifications are sent after the
     * commit ({@link EnqueueNotices}).
     */
    Uni<List<EnqueueResult>> onPool(List<NewJob> jobs) {
        Uni<List<EnqueueResult>> written;
        if (jobs.stream().anyMatch(job -> job.uniqueKey() != null)) {
            // Enqueues of one key racing each other and the key's holder ending can deadlock in
            // PostgreSQL; the transaction is then rolled back whole, and simply runs again.
            written = Uni.createFrom().deferred(() -> pool.withTransaction(tx -> insert(tx, jobs, false)))
                    .onFailure(JobEnqueuer::isConflict).retry().withBackOff(CONFLICT_BACKOFF).atMost(CONFLICT_RETRIES);
        } else {
            written = smallBatches.run(jobs.size(), client -> insert(client, jobs, false));
        }
        return written.invoke(results -> notices.committed(
                results.stream().filter(result -> !result.duplicate()).map(EnqueueResult::job).toList()));
    }

    private static boolean isConflict(Throwable failure) {
        return failure instanceof PgException pg && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
    }

    /**
     * In the caller's transaction, its notifications sent at its commit. Results in input order.
     */
    Uni<List<EnqueueResult>> insert(SqlClient transaction, List<NewJob> jobs) {
        return insert(transaction, jobs, true);
    }

    /**
     * Enqueues in one round trip (more only for unique-key duplicates); results in input order. On
     * the pool with no unique key, the one statement is its own transaction. Without
     * {@code notify}, the caller sends the notifications once committed.
     */
    private Uni<List<EnqueueResult>> insert(SqlClient client, List<NewJob> jobs, boolean notify) {
        List<UUID> ids = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            ids.add(JobIds.next());
        }
        return insertRound(client, jobs, ids, new HashMap<>(), 0, notify);
    }

    private Uni<List<EnqueueResult>> insertRound(SqlClient client, List<NewJob> jobs, List<UUID> ids,
                                                 Map<Integer, EnqueueResult> results, int round, boolean notify) {
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (!results.containsKey(i)) {
                todo.add(i);
            }
        }
        return client.preparedQuery(Table.JOBS.sql("insert_many"))
                .execute(insertParams(jobs, ids, todo, notify))
                .flatMap(inserted -> {
                    Map<UUID, Job> byId = new HashMap<>();
                    for (Job job : JobRows.toJobs(inserted)) {
                        byId.put(job.id(), job);
                    }
                    List<Integer> skipped = new ArrayList<>();
                    for (int i : todo) {
                        Job job = byId.get(ids.get(i));
                        if (job != null) {
                            results.put(i, new EnqueueResult(job, false));
                        } else {
                            skipped.add(i);
                        }
                    }
                    if (skipped.isEmpty()) {
                        return Uni.createFrom().item(inOrder(results, jobs.size()));
                    }
                    return resolveDuplicates(client, jobs, ids, skipped, results, round, notify);
                });
    }

    private Uni<List<EnqueueResult>> resolveDuplicates(SqlClient client, List<NewJob> jobs, List<UUID> ids,
                                                       List<Integer> skipped, Map<Integer, EnqueueResult> results,
                                                       int round, boolean notify) {
        Map<String, List<String>> keysByWorkspace = new LinkedHashMap<>();
        for (int i : skipped) {
            keysByWorkspace.computeIfAbsent(jobs.get(i).workspace(), w -> new ArrayList<>()).add(jobs.get(i).uniqueKey());
        }
        return Uni.join().all(keysByWorkspace.entrySet().stream()
                        .map(e -> client.preparedQuery(Table.JOBS.sql("get_live_by_unique_keys"))
                                .execute(Tuple.of(e.getKey(), e.getValue().toArray(String[]::new))))
                        .toList())
                .andFailFast()
                .flatMap(rowSets -> {
                    Map<String, Job> live = new HashMap<>();
                    for (RowSet<Row> rows : rowSets) {
                        for (Job job : JobRows.toJobs(rows)) {
                            live.put(job.workspace() + "\u0000" + job.uniqueKey(), job);
                        }
                    }
                    for (int i : skipped) {
                        Job holder = live.get(jobs.get(i).workspace() + "\u0000" + jobs.get(i).uniqueKey());
                        if (holder != null) {
                            results.put(i, new EnqueueResult(holder, true));
                        }
                    }
                    if (results.size() == jobs.size()) {
                        return Uni.createFrom().item(inOrder(results, jobs.size()));
                    }
                    if (round + 1 >= UNIQUE_KEY_ROUNDS) {
                        return Uni.createFrom().failure(new UniqueKeyContention(skipped.stream()
                                .filter(i -> !results.containsKey(i)).map(i -> jobs.get(i).uniqueKey()).distinct().toList()));
                    }
                    return insertRound(client, jobs, ids, results, round + 1, notify);
                });
    }

    private static Tuple insertParams(List<NewJob> jobs, List<UUID> ids, List<Integer> todo, boolean notify) {
        int n = todo.size();
        UUID[] id = new UUID[n];
        String[] workspace = new String[n];
        String[] queue = new String[n];
        String[] kind = new String[n];
        String[] args = new String[n];
        Integer[] priority = new Integer[n];
        OffsetDateTime[] runAt = new OffsetDateTime[n];
        Integer[] maxAttempts = new Integer[n];
        Integer[] timeout = new Integer[n];
        String[] uniqueKey = new String[n];
        String[] tags = new String[n];
        UUID[] parent = new UUID[n];
        String[] schedule = new String[n];
        OffsetDateTime[] scheduledFor = new OffsetDateTime[n];
        Boolean[] triggered = new Boolean[n];
        String[] childFailure = new String[n];
        String[] then = new String[n];
        String[] callback = new String[n];
        Boolean[] held = new Boolean[n];
        String[] childKey = new String[n];
        String[] invalid = new String[n];
        String[] backoff = new String[n];
        for (int k = 0; k < n; k++) {
            NewJob job = jobs.get(todo.get(k));
            id[k] = ids.get(todo.get(k));
            workspace[k] = job.workspace();
            queue[k] = job.queue();
            kind[k] = job.kind();
            args[k] = job.argsJson() == null ? "{}" : job.argsJson();
            priority[k] = job.priority();
            runAt[k] = JobRows.offset(job.runAt());
            maxAttempts[k] = job.maxAttempts();
            timeout[k] = job.timeoutSeconds();
            uniqueKey[k] = job.uniqueKey();
            tags[k] = tagsJson(job.tags());
            parent[k] = job.parentId();
            schedule[k] = job.schedule();
            scheduledFor[k] = JobRows.offset(job.scheduledFor());
            triggered[k] = job.triggered();
            NewJob.Links links = job.links();
            childFailure[k] = links.childFailure();
            then[k] = links.thenJson();
            callback[k] = links.callbackJson();
            held[k] = links.held();
            childKey[k] = links.childKey();
            invalid[k] = links.invalid();
            backoff[k] = links.backoffJson();
        }
        return Tuple.from(List.of(id, workspace, queue, kind, args, priority, runAt, maxAttempts, timeout,
                uniqueKey, tags, parent, notify, schedule, scheduledFor, triggered, childFailure, then, callback, held,
                childKey, invalid, backoff));
    }

    private static String tagsJson(List<String> tags) {
        if (tags.isEmpty()) {
            return "[]";
        }
        return JsonArray.of(tags.toArray()).encode();
    }

    private static List<EnqueueResult> inOrder(Map<Integer, EnqueueResult> results, int size) {
        List<EnqueueResult> ordered = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ordered.add(results.get(i));
        }
        return ordered;
    }
}
