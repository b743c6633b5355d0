package dev.harrier.queue;

import dev.harrier.handler.ItemCounts;
import dev.harrier.handler.ItemResult;
import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.PgText;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Writes fan-out item results, many per statement, and reads which items of a job are done. */
@ApplicationScoped
public class ItemWriter {

    /** One item of one job. */
    public record JobItemResult(UUID jobId, ItemResult item) {
    }





    private final Pool pool;
    private final GroupCommit<JobItemResult, Boolean> commits;

    public ItemWriter(Pool pool) {
        this.pool = pool;
        this.commits = new GroupCommit<>(this::write, 1000, 2);
    }

    public Uni<Void> save(UUID jobId, ItemResult item) {
        return commits.submit(new JobItemResult(jobId, item)).replaceWithVoid();
    }

    /** The job's items with a result, over all its attempts. */
    public Uni<ItemCounts> counts(UUID jobId) {
        return pool.preparedQuery(Table.JOB_ITEMS.sql("count_by_status")).execute(Tuple.of(jobId)).map(rows -> {
            Row row = rows.iterator().next();
            return new ItemCounts(row.getLong("ok").intValue(), row.getLong("failed").intValue(), row.getLong("ok_records"));
        });
    }

    public Uni<Set<Integer>> finished(UUID jobId) {
        return pool.preparedQuery(Table.JOB_ITEMS.sql("list_finished")).execute(Tuple.of(jobId)).map(rows -> {
            Set<Integer> done = new HashSet<>();
            rows.forEach(row -> done.add(row.getInteger("idx")));
            return done;
        });
    }

    private Uni<List<Boolean>> write(List<JobItemResult> batch) {
        int n = batch.size();
        UUID[] jobs = new UUID[n];
        Integer[] idx = new Integer[n];
        String[] input = new String[n];
        String[] status = new String[n];
        Integer[] http = new Integer[n];
        Integer[] attempts = new Integer[n];
        Integer[] duration = new Integer[n];
        String[] data = new String[n];
        String[] error = new String[n];
        for (int i = 0; i < n; i++) {
            ItemResult item = batch.get(i).item();
            jobs[i] = batch.get(i).jobId();
            idx[i] = item.index();
            input[i] = PgText.withoutNul(item.input());
            status[i] = item.ok() ? "ok" : "failed";
            http[i] = item.httpStatus();
            attempts[i] = item.attempts();
            duration[i] = (int) Math.min(Integer.MAX_VALUE, item.durationMs());
            data[i] = PgText.withoutNulEscape(item.dataJson());
            error[i] = PgText.withoutNul(item.error());
        }
        return pool.preparedQuery(Table.JOB_ITEMS.sql("upsert_many"))
                .execute(Tuple.from(new ArrayList<>(List.of(jobs, idx, input, status, http, attempts, duration, data, error))))
                .map(rows -> Collections.nCopies(n, Boolean.TRUE));
    }
}
