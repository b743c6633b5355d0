package dev.harrier.events;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Counts a job's event writes in flight, so that its outcome is written after its last progress
 * report and log line: a stream that ends at the terminal status must have seen them before it.
 */
public final class PendingWrites {

    private static final Logger LOG = Logger.getLogger(PendingWrites.class);

    private int count;
    private CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);

    /** Subscribes to the write now; a failed write is logged, never thrown at the handler. */
    public void track(Uni<Void> write) {
        synchronized (this) {
            if (count++ == 0) {
                idle = new CompletableFuture<>();
            }
        }
        write.subscribe().with(ok -> finished(), failure -> {
            LOG.warnf("a job event could not be written: %s", failure.getMessage());
            finished();
        });
    }

    /** Subscribes to the write now, like {@link #track}; the returned {@code Uni} emits when it is done (or fails). */
    public Uni<Void> tracked(Uni<Void> write) {
        Uni<Void> once = write.memoize().indefinitely();
        track(once);
        return once;
    }

    /** Emits when no write is in flight. */
    public Uni<Void> idle() {
        CompletableFuture<Void> current;
        synchronized (this) {
            if (count == 0) {
                return Uni.createFrom().voidItem(); // the usual case, at every outcome
            }
            current = idle;
        }
        return Uni.createFrom().completionStage(() -> current.thenApply(Function.identity()));
    }

    private void finished() {
        CompletableFuture<Void> done = null;
        synchronized (this) {
            if (--count == 0) {
                done = idle;
            }
        }
        if (done != null) {
            done.complete(null);
        }
    }
}
