package dev.harrier.handler;

import dev.harrier.time.RetryBackoff;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A kind of job. Implement it as a CDI bean ({@code @ApplicationScoped}) and Harrier finds it by
 * {@link #kind()}.
 *
 * <p>Outcomes of {@link #handle(JobContext)}: an item completes the job with that item as result
 * (serialised with Jackson); a failure with {@link JobFailure#permanent} fails the job at once; a
 * failure with {@link JobFailure#retryAfter} retries after the given delay; any other failure fails
 * the attempt, which is retried with backoff until the job's attempts are used up.
 *
 * @param <A> the arguments, a record or bean that Jackson reads from the job's {@code args}
 * @param <R> the result
 */
public interface JobHandler<A, R> {

    /** The kind name used at enqueue, e.g. {@code "scrape"}. */
    String kind();

    /** The type of the arguments; unknown fields and wrong types are refused at enqueue. */
    Class<A> argsType();

    /**
     * Checks the arguments beyond their types; each problem names its field, relative to
     * {@code args} (for example {@code "urls[3]"}). Called at enqueue. The default finds none.
     */
    default List<FieldProblem> validate(A args) {
        return List.of();
    }

    /**
     * Runs one attempt. Must not block the calling thread unless {@link #blocking()} says so. The
     * returned pipeline is cancelled when the job times out or is cancelled.
     */
    Uni<R> handle(JobContext<A> context);

    /** True when {@link #handle} blocks: Harrier then calls it on a virtual thread, off the event loop. */
    default boolean blocking() {
        return false;
    }

    /**
     * This kind's retry schedule, for its jobs that give none of their own; empty for the instance's
     * (HARRIER_RETRY_*). The enrichment seed's 60, 120, 240, 480 s is
     * {@code new RetryBackoff(60, 2.0, 480, 0.0)}.
     */
    default Optional<RetryBackoff> backoff() {
        return Optional.empty();
    }

    /** The timeout of this kind's jobs when the job sets none; empty for the configured default. */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }
}
