package dev.harrier.sql;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Turns many small writes into few statements. A write submitted while no statement is in flight
 * goes out at once (no added latency when idle), or, with a {@code soon} executor, in the task it
 * runs: writes submitted in the same event-loop turn then share the statement; writes submitted
 * while statements are in flight wait and leave together in the next one (up to {@code maxBatch}).
 * Under load this is what keeps the round trips per job far below one.
 *
 * @param <T> what is written
 * @param <R> the per-item result, in the order of the batch
 */
public final class GroupCommit<T, R> {

    private final Function<List<T>, Uni<List<R>>> writer;
    private final int maxBatch;
    private final int parallelism;
    private final Executor soon;
    private final ArrayDeque<Pending<T, R>> queue = new ArrayDeque<>();
    private int inFlight;

    private record Pending<T, R>(T item, CompletableFuture<R> done) {
    }

    /**
     * @param writer writes a batch, returning one result per item in order
     * @param maxBatch most items in one statement
     * @param parallelism most statements in flight at once
     */
    public GroupCommit(Function<List<T>, Uni<List<R>>> writer, int maxBatch, int parallelism) {
        this(writer, maxBatch, parallelism, Runnable::run);
    }

    /**
     * @param soon runs the first statement of an idle group; an executor that runs the task after
     *     the current event-loop turn lets the writes of that turn leave together (measured in
     *     bench/README.md: the claim of 1,000 no-op jobs completed them in one statement, not
     *     three of 1, 1 and 998)
     */
    public GroupCommit(Function<List<T>, Uni<List<R>>> writer, int maxBatch, int parallelism, Executor soon) {
        this.writer = writer;
        this.maxBatch = maxBatch;
        this.parallelism = parallelism;
        this.soon = soon;
    }

    /** Emits the item's result once its batch is written, or the batch's failure. */
    public Uni<R> submit(T item) {
        CompletableFuture<R> done = new CompletableFuture<>();
        boolean start;
        synchronized (queue) {
            queue.add(new Pending<>(item, done));
            start = inFlight < parallelism;
            if (start) {
                inFlight++;
            }
        }
        if (start) {
            soon.execute(this::flush);
        }
        return Uni.createFrom().completionStage(done);
    }

    /** Items waiting for a statement. */
    public int backlog() {
        synchronized (queue) {
            return queue.size();
        }
    }

    private void flush() {
        List<Pending<T, R>> batch = new ArrayList<>();
        synchronized (queue) {
            while (batch.size() < maxBatch && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
            if (batch.isEmpty()) {
                inFlight--;
                return;
            }
        }
        List<T> items = new ArrayList<>(batch.size());
        for (Pending<T, R> pending : batch) {
            items.add(pending.item());
        }
        Uni.createFrom().deferred(() -> writer.apply(items))
                .subscribe().with(
                        results -> {
                            for (int i = 0; i < batch.size(); i++) {
                                batch.get(i).done().complete(results.get(i));
                            }
                            flush();
                        },
                        failure -> {
                            for (Pending<T, R> pending : batch) {
                                pending.done().completeExceptionally(failure);
                            }
                            flush();
                        });
    }
}
