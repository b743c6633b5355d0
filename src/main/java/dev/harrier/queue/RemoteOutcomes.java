package dev.harrier.queue;

import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.PgText;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The outcomes remote workers send (complete, fail), many per statement ({@link GroupCommit}):
 * each written only while its job runs under the lease token of the call, the job returned whole.
 * Grouped, the calls of many workers share one commit and its WAL flush (a commit that notifies
 * holds PostgreSQL's notification lock through that flush: one at a time, they queued behind it).
 */
@ApplicationScoped
public class RemoteOutcomes {

    /** An attempt's outcome, and the hash of the token that holds the attempt. */
    public record Finished(UUID jobId, byte[] tokenHash, JobStatus status, String resultJson, Instant runAt,
                           String errorMessage, String errorType) {
    }

    private static final int MAX_BATCH = 500;
    private static final int PARALLEL_STATEMENTS = 2;

    private final Pool pool;
    private final GroupCommit<Finished, Optional<Job>> commits;

    public RemoteOutcomes(Pool pool) {
        this.pool = pool;
        this.commits = new GroupCommit<>(this::write, MAX_BATCH, PARALLEL_STATEMENTS);
    }

    /** The job as written; empty when the token did not hold its attempt (any more). */
    public Uni<Optional<Job>> write(Finished outcome) {
        return commits.submit(outcome);
    }

    private Uni<List<Optional<Job>>> write(List<Finished> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        Buffer[] hashes = new Buffer[n];
        String[] statuses = new String[n];
        String[] results = new String[n];
        OffsetDateTime[] runAts = new OffsetDateTime[n];
        String[] messages = new String[n];
        String[] types = new String[n];
        for (int i = 0; i < n; i++) {
            Finished o = batch.get(i);
            ids[i] = o.jobId();
            hashes[i] = Buffer.buffer(o.tokenHash());
            statuses[i] = o.status().wire();
            results[i] = PgText.withoutNulEscape(o.resultJson());
            runAts[i] = JobRows.offset(o.runAt());
            messages[i] = PgText.withoutNul(o.errorMessage());
            types[i] = PgText.withoutNul(o.errorType());
        }
        return pool.preparedQuery(Table.JOBS.sql("finish_remote_many"))
                .execute(Tuple.from(List.of(ids, hashes, statuses, results, runAts, messages, types)))
                .map(rows -> {
                    Map<UUID, Job> written = new HashMap<>();
                    JobRows.toJobs(rows).forEach(job -> written.put(job.id(), job));
                    List<Optional<Job>> replies = new ArrayList<>(n);
                    batch.forEach(o -> replies.add(Optional.ofNullable(written.get(o.jobId()))));
                    return replies;
                });
    }
}
