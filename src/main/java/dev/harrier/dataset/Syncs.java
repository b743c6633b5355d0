package dev.harrier.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.ChildJob;
import dev.harrier.handler.JobFailure;
import dev.harrier.queue.ChildJobs;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Syncs a snapshot into a dataset, in one transaction, so that a sync happens whole or not at all
 * (an instance killed mid-sync leaves the dataset as it was, and the retried attempt syncs it once):
 * <ol>
 *   <li>the dataset's row is locked and its next {@code version} taken: syncs of one dataset wait
 *       for each other, syncs of different datasets run side by side;</li>
 *   <li>the snapshot is staged {@value #STAGE_BATCH} records a statement ({@code unnest} arrays of
 *       keys, records and content hashes computed here, {@link Snapshots});</li>
 *   <li>the guards: an empty snapshot, or one that would expire more than {@code maxExpireRatio} of
 *       the partition's active records, fails for good ({@code suspicious_snapshot}) unless forced;</li>
 *   <li>one set-based statement compares and writes it (new, active, changed), one expires the
 *       partition's records it did not hold;</li>
 *   <li>the changes {@code notify} asks for become {@code http} child jobs of the sync's job,
 *       {@code batch} records each, in the same transaction: a crash can neither lose nor
 *       duplicate a notification (each is keyed by version, change and batch).</li>
 * </ol>
 * Only one batch of the snapshot is in memory at a time.
 */
@ApplicationScoped
public class Syncs {

    public static final String SUSPICIOUS = "suspicious_snapshot";
    static final int STAGE_BATCH = 5_000;
    static final int NOTIFY_PAGE = 100;
    static final int NOTIFY_ATTEMPTS = 10;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Pool pool;
    private final ChildJobs children;
    private final ObjectMapper mapper;
    private final int maxDatasets;

    public Syncs(Pool pool, ChildJobs children, ObjectMapper mapper, HarrierConfig config) {
        this.pool = pool;
        this.children = children;
        this.mapper = mapper;
        this.maxDatasets = config.limits().datasets();
    }

    private static final class Counts {
        long total;
    }

    /**
     * Syncs the records of a finished fan-out job's items (a scrape with a {@code dataset}): an
     * item's records are its data's elements when it is a list, else its data; what is not a JSON
     * object is left out.
     */
    public Uni<SyncResult> syncItems(SyncRequest request) {
        return sync(request, ItemRecords.of(request.jobId(), mapper));
    }

    public Uni<SyncResult> sync(SyncRequest request, Snapshots.Source source) {
        UUID syncId = UUID.randomUUID();
        String partition = request.partition() == null || request.partition().isNull() ? "{}" : request.partition().toString();
        return pool.withTransaction(tx -> lock(tx, request)
                .flatMap(version -> stage(tx, request, syncId, source, new Counts())
                        .flatMap(total -> tx.preparedQuery(Table.RECORDS.sql("count_snapshot"))
                                .execute(Tuple.of(request.workspace(), request.dataset(), syncId, partition))
                                .map(rows -> rows.iterator().next())
                                .invoke(counts -> guard(request, counts))
                                .flatMap(counts -> apply(tx, request, syncId, partition, version, counts)))));
    }

    private Uni<Long> lock(SqlClient tx, SyncRequest request) {
        return tx.preparedQuery(Table.DATASETS.sql("lock_for_sync"))
                .execute(Tuple.of(request.workspace(), request.dataset(), request.key().toArray(String[]::new), maxDatasets))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw JobFailure.permanent("the workspace has " + maxDatasets + " datasets, the most it may have "
                                + "(HARRIER_LIMITS_DATASETS); delete one or sync into an existing one").ofType("invalid_args");
                    }
                    Row row = rows.iterator().next();
                    List<String> key = Arrays.asList(row.getArrayOfStrings("key_fields"));
                    if (!key.equals(request.key())) {
                        throw JobFailure.permanent("the dataset " + request.dataset() + " is keyed by " + key
                                + ", not " + request.key()).ofType("invalid_args");
                    }
                    return row.getLong("version");
                });
    }

    /**
     * Stages the snapshot a batch at a time. A repetition, not a recursion: a chain of nested
     * {@code flatMap}s kept every staged batch's parameters reachable until the last one, and a
     * million records ran a 256 MiB heap out (bench/README.md, "Datasets").
     */
    private Uni<Long> stage(SqlClient tx, SyncRequest request, UUID syncId, Snapshots.Source source, Counts counts) {
        return Multi.createBy().repeating().uni(() -> source.next(tx, STAGE_BATCH))
                .until(List::isEmpty)
                .onItem().transformToUniAndConcatenate(records -> stageBatch(tx, request, syncId, counts, records))
                .collect().last()
                .map(last -> counts.total);
    }

    private Uni<Long> stageBatch(SqlClient tx, SyncRequest request, UUID syncId, Counts counts, List<JsonNode> records) {
        String[] keys = new String[records.size()];
        String[] data = new String[records.size()];
        byte[][] hashes = new byte[records.size()][];
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            long at = counts.total + i;
            if (record == null || !record.isObject()) {
                throw JobFailure.permanent("record " + at + " is not a JSON object").ofType("invalid_args");
            }
            String canonical = Snapshots.canonical(record);
            if (canonical.length() > Snapshots.MAX_RECORD_BYTES) {
                throw JobFailure.permanent("record " + at + " is over " + Snapshots.MAX_RECORD_BYTES + " bytes").ofType("invalid_args");
            }
            keys[i] = Snapshots.key(record, request.key()).toString();
            data[i] = canonical;
            hashes[i] = Snapshots.hash(canonical);
        }
        int first = (int) counts.total + 1;
        counts.total += records.size();
        return tx.preparedQuery(Table.RECORDS.sql("stage"))
                .execute(Tuple.from(List.of(syncId, first, keys, data, buffers(hashes))))
                .map(staged -> counts.total);
    }

    /** Binary parameters of a tuple built from a list are the core Vert.x buffers. */
    private static Buffer[] buffers(byte[][] hashes) {
        Buffer[] out = new Buffer[hashes.length];
        for (int i = 0; i < hashes.length; i++) {
            out[i] = Buffer.buffer(hashes[i]);
        }
        return out;
    }

    private static void guard(SyncRequest request, Row counts) {
        if (request.force()) {
            return;
        }
        // An empty snapshot is refused when it could expire something; a partial scrape's never can.
        if (counts.getLong("total") == 0 && !request.expireSkipped()) {
            throw JobFailure.permanent("the snapshot is empty; nothing was changed (force: true to sync it)").ofType(SUSPICIOUS);
        }
        long wouldExpire = counts.getLong("would_expire");
        long active = counts.getLong("partition_active");
        if (request.expire() && !request.expireSkipped() && active > 0 && wouldExpire > request.maxExpireRatio() * active) {
            throw JobFailure.permanent("the snapshot would expire " + wouldExpire + " of the " + active
                    + " active records (more than maxExpireRatio " + request.maxExpireRatio()
                    + "); nothing was changed (force: true to sync it)").ofType(SUSPICIOUS);
        }
    }

    private Uni<SyncResult> apply(SqlClient tx, SyncRequest request, UUID syncId, String partition, long version, Row counts) {
        long total = counts.getLong("total");
        long duplicates = total - counts.getLong("distinct_keys");
        boolean expire = request.expire() && !request.expireSkipped();
        return tx.preparedQuery(Table.RECORDS.sql("merge_snapshot"))
                .execute(Tuple.of(request.workspace(), request.dataset(), syncId, version))
                .map(rows -> rows.iterator().next())
                .flatMap(merged -> (expire
                        ? tx.preparedQuery(Table.RECORDS.sql("expire_unseen"))
                                .execute(Tuple.of(request.workspace(), request.dataset(), version, partition))
                                .map(rows -> rows.iterator().next().getLong("expired"))
                        : Uni.createFrom().item(0L))
                        .map(expired -> new SyncResult(request.dataset(), total, merged.getLong("new"), merged.getLong("active"),
                                merged.getLong("changed"), expired, duplicates, version, request.expireSkipped())))
                .call(result -> tx.preparedQuery(Table.DATASETS.sql("finish_sync"))
                        .execute(Tuple.from(Arrays.asList(request.workspace(), request.dataset(), version, request.jobId(),
                                (int) result.newRecords(), (int) result.changed(), (int) result.expired()))))
                .call(result -> request.delivery() == null ? Uni.createFrom().voidItem()
                        : notifyAll(tx, request, version))
                .call(result -> tx.preparedQuery(Table.RECORDS.sql("clear_staging")).execute(Tuple.of(syncId)));
    }

    /** Where the pages of notify bodies are. */
    private static final class NotifyCursor {
        String change = "";
        long batch = -1;
        boolean done;
    }

    /**
     * The notify deliveries of the sync's changes, a page of bodies at a time, as child jobs in its
     * transaction; a repetition, so that each page is let go once enqueued.
     */
    private Uni<Void> notifyAll(SqlClient tx, SyncRequest request, long version) {
        NotifyCursor cursor = new NotifyCursor();
        return Multi.createBy().repeating().uni(() -> notifyPage(tx, request, version, cursor))
                .until(made -> made == 0)
                .collect().last()
                .replaceWithVoid();
    }

    /** Enqueues the next page of deliveries; emits how many (0: none left). */
    private Uni<Integer> notifyPage(SqlClient tx, SyncRequest request, long version, NotifyCursor cursor) {
        if (cursor.done) {
            return Uni.createFrom().item(0);
        }
        SyncRequest.Notify notify = request.delivery();
        return tx.preparedQuery(Table.RECORDS.sql("notify_batches"))
                .execute(Tuple.from(Arrays.asList(request.workspace(), request.dataset(), version,
                        notify.on().toArray(String[]::new), notify.batch(), cursor.change, NOTIFY_PAGE, cursor.batch)))
                .flatMap(rows -> {
                    List<ChildJob> deliveries = new ArrayList<>();
                    for (Row row : rows) {
                        cursor.change = row.getString("change");
                        cursor.batch = row.getLong("batch");
                        deliveries.add(ChildJob.of(delivery(request, row.getString("body")),
                                "notify:" + version + ":" + cursor.change + ":" + cursor.batch));
                    }
                    cursor.done = rows.size() < NOTIFY_PAGE;
                    if (deliveries.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return children.enqueueIn(tx, request.workspace(), request.jobId(), deliveries).map(List::size);
                });
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode delivery(SyncRequest request, String body) {
        SyncRequest.Notify notify = request.delivery();
        ObjectNode args = NODES.objectNode();
        args.put("url", notify.url());
        args.put("method", "POST");
        if (notify.headers() != null && !notify.headers().isEmpty()) {
            ObjectNode headers = args.putObject("headers");
            notify.headers().forEach(headers::put);
        }
        args.set("body", read(body));
        ObjectNode job = NODES.objectNode();
        job.put("kind", "http");
        job.put("maxAttempts", NOTIFY_ATTEMPTS);
        job.set("args", args);
        job.set("tags", NODES.arrayNode().add("notify:" + request.dataset()));
        return job;
    }
}
