package dev.harrier.queue;

import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.PgText;
import dev.harrier.sql.SmallBatches;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    public record Finished(String workspace, UUID jobId, byte[] tokenHash, JobStatus status, String resultJson, Instant runAt,
                           String errorMessage, String errorType) {
    }

    private static final int MAX_BATCH = 500;
    private static final int PARALLEL_STATEMENTS = 2;

    private final SmallBatches smallBatches;
    private final GroupCommit<Finished, Optional<Job>> commits;

    public RemoteOutcomes(SmallBatches smallBatches) {
        this.smallBatches = smallBatches;
        this.commits = new GroupCommit<>(this::write, MAX_BATCH, PARALLEL_STATEMENTS);
    }

    /** The job as written; empty when the token did not hold its attempt (any more). */
    public Uni<Optional<Job>> write(Finished outcome) {
        return commits.submit(outcome);
    }

    /**
     * One statement for the first outcome of each job in the batch; a second outcome of a job (two
     * calls at once, one of them bound to lose) goes in a statement after it, so that each call's
     * reply is its own: the row it wrote, matched by job and token.
     */
    private Uni<List<Optional<Job>>> write(List<Finished> batch) {
        Set<UUID> seen = new HashSet<>();
        List<Finished> first = new ArrayList<>(batch.size());
        List<Finished> later = new ArrayList<>();
        batch.forEach(o -> (seen.add(o.jobId()) ? first : later).add(o));
        Uni<Map<Finished, Optional<Job>>> written = statement(first);
        if (!later.isEmpty()) {
            written = written.flatMap(replies -> write(later).map(more -> {
                Map<Finished, Optional<Job>> all = new IdentityHashMap<>(replies);
                for (int i = 0; i < later.size(); i++) {
                    all.put(later.get(i), more.get(i));
                }
                return all;
            }));
        }
        return written.map(replies -> batch.stream().map(replies::get).toList());
    }

    private Uni<Map<Finished, Optional<Job>>> statement(List<Finished> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        Buffer[] hashes = new Buffer[n];
        String[] statuses = new String[n];
        String[] results = new String[n];
        OffsetDateTime[] runAts = new OffsetDateTime[n];
        String[] messages = new String[n];
        String[] types = new String[n];
        String[] workspaces = new String[n];
        for (int i = 0; i < n; i++) {
            Finished o = batch.get(i);
            ids[i] = o.jobId();
            hashes[i] = Buffer.buffer(o.tokenHash());
            statuses[i] = o.status().wire();
            results[i] = PgText.withoutNulEscape(o.resultJson());
            runAts[i] = JobRows.offset(o.runAt());
            messages[i] = PgText.withoutNul(o.errorMessage());
            types[i] = PgText.withoutNul(o.errorType());
            workspaces[i] = o.workspace();
        }
        Tuple params = Tuple.from(List.of(ids, hashes, statuses, results, runAts, messages, types, workspaces));
        return smallBatches.run(n, client -> client.preparedQuery(Table.JOBS.sql("finish_remote_many")).execute(params))
                .map(rows -> {
                    Map<UUID, Job> written = new HashMap<>();
                    Map<UUID, byte[]> writtenWith = new HashMap<>();
                    for (Row row : rows) {
                        Job job = JobRows.toJob(row);
                        written.put(job.id(), job);
                        writtenWith.put(job.id(), row.getBuffer("lease_token_hash").getBytes());
                    }
                    Map<Finished, Optional<Job>> replies = new IdentityHashMap<>();
                    for (Finished o : batch) {
                        boolean mine = written.containsKey(o.jobId()) && Arrays.equals(writtenWith.get(o.jobId()), o.tokenHash());
                        replies.put(o, mine ? Optional.of(written.get(o.jobId())) : Optional.empty());
                    }
                    return replies;
                });
    }
}
