package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Pages of a workspace's jobs, newest first, with optional filters; keyset pagination. */
@ApplicationScoped
public class JobListing {

    /** Where the previous page ended: the last job's creation time and id. */
    public record Position(Instant createdAt, UUID id) {
    }

    /**
     * The filters of a listing: a job matches when its status is any of {@code statuses} (empty:
     * any status), it carries every one of {@code tags}, and its kind, queue and schedule are the
     * given ones (null: any); with a {@code parent}, only that job's children.
     */
    public record Filter(Set<JobStatus> statuses, String kind, String queue, List<String> tags, String schedule, UUID parent) {
        public Filter {
            statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }

    private final Pool pool;

    public JobListing(Pool pool) {
        this.pool = pool;
    }

    /** Up to {@code limit} jobs after {@code after} (null for the first page). */
    public Uni<List<Job>> page(String workspace, Filter filter, Position after, int limit) {
        String[] statuses = filter.statuses().stream().map(JobStatus::wire).sorted().toArray(String[]::new);
        Tuple params = Tuple.from(Arrays.asList(workspace, statuses, filter.kind(), filter.queue(),
                filter.tags().toArray(String[]::new),
                after == null ? null : JobRows.offset(after.createdAt()), after == null ? null : after.id(), limit,
                filter.schedule()));
        if (filter.parent() != null) {
            return pool.preparedQuery(Table.JOBS.sql("list_children"))
                    .execute(params.addUUID(filter.parent()))
                    .map(JobRows::toJobs);
        }
        return pool.preparedQuery(Table.JOBS.sql("list")).execute(params).map(JobRows::toJobs);
    }
}
