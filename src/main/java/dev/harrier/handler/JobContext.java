package dev.harrier.handler;

import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** What a running attempt knows and can do: its job, progress, log, children and cancellation. */
public interface JobContext<A> {

    UUID jobId();

    String kind();

    /** The attempt being run, 1 for the first. */
    int attempt();

    int maxAttempts();

    A args();

    /** Reports progress; reports are throttled, and the last one is written before the job ends. */
    ProgressReporter progress();

    /** Appends lines to the job's log (the {@code log} events of its stream). */
    JobLog log();

    /**
     * Stores the result of one item (in batches, with an {@code item} event). The write starts at
     * once, whether or not the returned {@code Uni} is subscribed; it emits when the item is stored.
     * A handler that produces items faster than they are written waits on it, so that unwritten
     * results never pile up in memory. The job's outcome is written only after every item recorded
     * before it.
     */
    Uni<Void> recordItem(ItemResult item);

    /**
     * The indexes of the items that already have a result, from earlier attempts: a retried
     * fan-out job skips them instead of fetching them again.
     */
    Uni<Set<Integer>> finishedItems();

    /**
     * The items that have a result, counted over every attempt of the job (those recorded by this
     * attempt included, once their writes have finished): what a fan-out job's result reports, so
     * that a job resumed after a retry or a restart still counts every item.
     */
    Uni<ItemCounts> itemCounts();

    /** The workspace of the job. */
    String workspace();

    /** The job's tags. */
    List<String> tags();

    /**
     * Enqueues children of this job, in one transaction, visible at once (before the handler
     * returns). When the handler succeeds, the job waits for them ({@code waiting}) and ends when
     * the last one ends. A child whose key this job already has is not enqueued again: an attempt
     * that runs again after a crash or a retry gets the children it made the first time. Children
     * that cannot be enqueued (an unknown kind, invalid arguments) are created {@code failed} with the
     * reason, and never fail the others or this job. Emits one result per child, in order.
     */
    Uni<List<ChildJobResult>> enqueueChildren(List<ChildJob> children);

    /**
     * The same, at most {@code concurrency} children of this job released at once (not ended,
     * whatever their status), across every instance and remote worker: the others are held back
     * ({@code scheduled}, without {@code runAt}) and released, in order, as children end.
     */
    Uni<List<ChildJobResult>> enqueueChildren(List<ChildJob> children, int concurrency);

    /** True once the job is cancelled or its attempt timed out; stop starting new work then. */
    boolean isCancelled();

    /** Emits (once) when the job is cancelled or times out, for pipelines that stop on it. */
    Uni<Void> cancelled();

    /**
     * The secrets the job's args name, decrypted for this attempt only: pass them with each
     * outbound request (they are filled in there, per host) and redact with them anything that
     * leaves the attempt. The log, progress, items and result are redacted for you.
     */
    default SecretValues secrets() {
        return SecretValues.NONE;
    }
}
