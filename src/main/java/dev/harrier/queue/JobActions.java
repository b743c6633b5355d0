package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Reading one job, and the actions a client takes on it: cancel and retry. Scoped by workspace. */
@ApplicationScoped
public class JobActions {

    /** What a cancel or retry did. */
    public enum Result {
        /** Done: the job is cancelled, or pending again. */
        DONE,
        /** The job runs: its instance was asked to stop it, and it will end as cancelled. */
        REQUESTED,
        /** The job's status does not allow the action. */
        CONFLICT,
        /** No such job in this workspace. */
        NOT_FOUND
    }

    /** Jobs a bulk retry runs again at most, a call. */
    public static final int MAX_RETRIED = 10_000;

    private final Pool pool;

    public JobActions(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Job>> get(String workspace, UUID id) {
        return pool.preparedQuery(Table.JOBS.sql("get_in_workspace"))
                .execute(Tuple.of(id, workspace))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(JobRows.toJob(rows.iterator().next())));
    }

    /**
     * Whether the job or one of its ancestors carries every one of {@code tags}: what a workspace
     * token with tags may read (an end user's job and the children it spawned).
     */
    public Uni<Boolean> lineCarriesTags(UUID id, List<String> tags) {
        return pool.preparedQuery(Table.JOBS.sql("line_carries_tags"))
                .execute(Tuple.of(id, tags.toArray(String[]::new)))
                .map(rows -> rows.iterator().next().getBoolean("carries"));
    }

    /** Any workspace: for the engine itself. */
    public Uni<Optional<Job>> get(UUID id) {
        return pool.preparedQuery(Table.JOBS.sql("get"))
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(JobRows.toJob(rows.iterator().next())));
    }

    /** Several jobs of any workspace, by id (the workspace stream filters them). */
    public Uni<List<Job>> getMany(Collection<UUID> ids) {
        return pool.preparedQuery(Table.JOBS.sql("get_many"))
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(JobRows::toJobs);
    }

    /**
     * A waiting job is cancelled at once; a running one is asked to stop (the NOTIFY reaches the
     * instance that runs it, and the job ends as cancelled). Terminal jobs: conflict.
     */
    public Uni<Result> cancel(String workspace, UUID id) {
        return cancel(workspace, id, 3);
    }

    /**
     * Two statements: the job may move between them (running to retrying, say); then its status
     * is looked at and, if it is not terminal after all, the cancel tried again.
     */
    private Uni<Result> cancel(String workspace, UUID id, int tries) {
        Tuple params = Tuple.of(id, workspace);
        return pool.preparedQuery(Table.JOBS.sql("cancel_if_waiting")).execute(params)
                .flatMap(cancelled -> cancelled.size() > 0
                        ? Uni.createFrom().item(Result.DONE)
                        : pool.preparedQuery(Table.JOBS.sql("request_cancel_if_running")).execute(params)
                                .flatMap(requested -> requested.size() > 0
                                        ? Uni.createFrom().item(Result.REQUESTED)
                                        : get(workspace, id).flatMap(job -> {
                                            if (job.isEmpty()) {
                                                return Uni.createFrom().item(Result.NOT_FOUND);
                                            }
                                            if (job.get().status().terminal() || tries <= 1) {
                                                return Uni.createFrom().item(Result.CONFLICT);
                                            }
                                            return cancel(workspace, id, tries - 1);
                                        })));
    }

    /** A failed or cancelled job runs again with a fresh attempt budget; other statuses: conflict. */
    public Uni<Result> retry(String workspace, UUID id) {
        return pool.preparedQuery(Table.JOBS.sql("retry_if_ended")).execute(Tuple.of(id, workspace))
                .flatMap(retried -> retried.size() > 0
                        ? Uni.createFrom().item(Result.DONE)
                        : existsOrNot(workspace, id));
    }

    /**
     * Every job of the workspace in {@code statuses} (failed, cancelled) matching the filters (null:
     * any) runs again as {@link #retry} would, {@link #MAX_RETRIED} at most; emits how many.
     */
    public Uni<Integer> retryMatching(String workspace, Set<JobStatus> statuses, UUID parent, String kind, String queue,
                                      List<String> tags) {
        Tuple params = Tuple.from(Arrays.asList(workspace, statuses.stream().map(JobStatus::wire).toArray(String[]::new),
                parent, kind, queue, tags.toArray(String[]::new), MAX_RETRIED));
        return pool.preparedQuery(Table.JOBS.sql("retry_matching")).execute(params)
                .map(rows -> rows.iterator().next().getLong("retried").intValue());
    }

    private Uni<Result> existsOrNot(String workspace, UUID id) {
        return get(workspace, id).map(job -> job.isPresent() ? Result.CONFLICT : Result.NOT_FOUND);
    }
}
