package dev.harrier.http;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** A semaphore whose waiters are futures, not threads: nothing blocks while waiting for a permit. */
public final class AsyncPermits {

    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int available;

    public AsyncPermits(int permits) {
        this.available = permits;
    }

    /** Emits once a permit is held; release it exactly once afterwards. */
    public Uni<Void> acquire() {
        CompletableFuture<Void> granted;
        synchronized (this) {
            if (available > 0) {
                available--;
                return Uni.createFrom().voidItem();
            }
            granted = new CompletableFuture<>();
            waiting.add(granted);
        }
        return Uni.createFrom().completionStage(() -> granted.thenApply(x -> x))
                .onCancellation().invoke(() -> abandon(granted));
    }

    /**
     * Runs {@code call} holding a permit, released once however it ends: item, failure, or a
     * cancellation (a waiter cancelled in the queue holds none; one granted meanwhile goes back).
     */
    public <T> Uni<T> withPermit(Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            AtomicBoolean held = new AtomicBoolean();
            return acquire()
                    .invoke(() -> held.set(true))
                    .flatMap(x -> call.get())
                    .onTermination().invoke(() -> {
                        if (held.getAndSet(false)) {
                            release();
                        }
                    });
        });
    }

    public void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                available++;
                return;
            }
        }
        next.complete(null);
    }

    /** A waiter that gave up: its permit, if granted meanwhile, goes back. */
    private void abandon(CompletableFuture<Void> granted) {
        boolean wasGranted;
        synchronized (this) {
            wasGranted = !waiting.remove(granted);
        }
        if (wasGranted) {
            release();
        }
    }
}
