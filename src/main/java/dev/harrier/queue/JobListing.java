package dev.harrier.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Pages of a workspace's jobs, newest first, with optional filters; keyset pagination. */
@ApplicationScoped
public class JobListing {

    /** Where the previous page ended: the last job's creation time and id. */
    public record Position(Instant createdAt, UUID id) {
    }

    /**
     * The filters of a listing: a job matches when its status is any of {@code statuses} (empty:
     * any status), it carries every one of {@code tags}, and its kind and queue are the given ones
     * (null: any).
     */
    public record Filter(Set<JobStatus> statuses, String kind, String queue, List<String> tags) {
        public Filter {
            statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }

    // Filters are bound parameters, never spliced in: "$n IS NULL OR column = $n" for each.
    private static final String FILTERS = """
              AND ($3::text IS NULL OR kind = $3)
              AND ($4::text IS NULL OR queue = $4)
              AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
              AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $8""";

    // A branch of a status the filter leaves out is dropped by the planner (a one-time filter on
    // the bound array: sessions plan with the values, see sql/PlanningPool).
    private static final String ONE_STATUS = """
            (SELECT %s FROM harrier.jobs
             WHERE workspace = $1 AND status = '%%1$s'
               AND (cardinality($2::text[]) = 0 OR '%%1$s' = ANY($2::text[]))
             %s)""".formatted(JobSql.COLUMNS, FILTERS);

    /**
     * Newest first: the newest rows of each status asked for, each read from
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

    private final Pool pool;

    public JobListing(Pool pool) {
        this.pool = pool;
    }

    /** Up to {@code limit} jobs after {@code after} (null for the first page). */
    public Uni<List<Job>> page(String workspace, Filter filter, Position after, int limit) {
        String[] statuses = filter.statuses().stream().map(JobStatus::wire).sorted().toArray(String[]::new);
        Tuple params = Tuple.from(Arrays.asList(workspace, statuses, filter.kind(), filter.queue(),
                filter.tags().toArray(String[]::new),
                after == null ? null : JobRows.offset(after.createdAt()), after == null ? null : after.id(), limit));
        return pool.preparedQuery(JOB_LIST).execute(params).map(JobRows::toJobs);
    }
}
