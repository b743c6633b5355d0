package dev.harrier.events;

import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.PgText;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Appends progress, log and item events to the job events table, many per statement
 * ({@link GroupCommit}), and announces them with NOTIFY for the subscribers on every instance.
 */
@ApplicationScoped
public class EventAppender {

    private static final int MAX_BATCH = 1000;
    // One statement at a time: two in flight could commit out of order, and a job's later report
    // would then be overwritten by an earlier one and take a lower sequence number.
    private static final int PARALLEL_STATEMENTS = 1;

    private final Pool pool;
    private final GroupCommit<EventDraft, Boolean> commits;

    public EventAppender(Pool pool) {
        this.pool = pool;
        this.commits = new GroupCommit<>(this::write, MAX_BATCH, PARALLEL_STATEMENTS);
    }

    /** Emits once the event is stored (and its NOTIFY sent). */
    public Uni<Void> append(EventDraft draft) {
        return commits.submit(draft).replaceWithVoid();
    }

    private Uni<List<Boolean>> write(List<EventDraft> drafts) {
        int n = drafts.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = drafts.get(i).jobId();
            types[i] = drafts.get(i).type();
            // A handler's log line may quote a reply holding NUL, which jsonb refuses: one such
            // event would fail the batch of up to 1,000 events of many jobs.
            data[i] = PgText.withoutNulEscape(drafts.get(i).dataJson());
        }
        return pool.preparedQuery(Table.JOB_EVENTS.sql("append_many"))
                .execute(Tuple.of(ids, types, data))
                .map(rows -> Collections.nCopies(n, Boolean.TRUE));
    }
}
