package dev.harrier.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Pages of a workspace's jobs, newest first, with optional filters; keyset pagination. */
@ApplicationScoped
public class JobListing {

    /** Where the previous page ended: the last job's creation time and id. */
    public record Position(Instant createdAt, UUID id) {
    }

    /** The filters of a listing; null means any. */
    public record Filter(JobStatus status, String kind, String queue, String tag) {
    }

    // Filters are bound parameters, never spliced in: "$n IS NULL OR column = $n" for each.
    private static final String FILTERS = """
              AND ($3::text IS NULL OR kind = $3)
              AND ($4::text IS NULL OR queue = $4)
              AND ($5::text IS NULL OR (tags <> '{}' AND tags @> ARRAY[$5::text]))
              AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $8""";

    private static final String ONE_STATUS = """
            (SELECT %s FROM harrier.jobs
             WHERE workspace = $1 AND status = '%%s' AND $2::harrier.job_status IS NULL
             %s)""".formatted(JobSql.COLUMNS, FILTERS);

    /**
     * Every status, newest first: the newest rows of each status, each read from
     * jobs_list_status_idx, merged. (No index on (workspace, created_at) serves it: one less index
     * for every status change to update, see migration V4.) The status names are the enum's,
     * not input.
     */
    static final String JOB_LIST = """
            SELECT * FROM (
            %s
            ) AS newest
            ORDER BY created_at DESC, id DESC
            LIMIT $8""".formatted(Arrays.stream(JobStatus.values())
            .map(status -> ONE_STATUS.formatted(status.wire()))
            .collect(Collectors.joining("\nUNION ALL\n")));

    static final String JOB_LIST_BY_STATUS = """
            SELECT %s FROM harrier.jobs
            WHERE workspace = $1 AND status = $2::harrier.job_status
            %s""".formatted(JobSql.COLUMNS, FILTERS);

    private final Pool pool;

    public JobListing(Pool pool) {
        this.pool = pool;
    }

    /** Up to {@code limit} jobs after {@code after} (null for the first page). */
    public Uni<List<Job>> page(String workspace, Filter filter, Position after, int limit) {
        String sql = filter.status() == null ? JOB_LIST : JOB_LIST_BY_STATUS;
        Tuple params = Tuple.from(Arrays.asList(workspace, filter.status() == null ? null : filter.status().wire(),
                filter.kind(), filter.queue(), filter.tag(),
                after == null ? null : JobRows.offset(after.createdAt()), after == null ? null : after.id(), limit));
        return pool.preparedQuery(sql).execute(params).map(JobRows::toJobs);
    }
}
