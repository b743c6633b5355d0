package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code test-hold}: attempts up to {@code holdAttempts} wait until the test releases their key
 * (or the job is stopped); later attempts complete at once. Records starts and seen cancellations.
 */
@ApplicationScoped
public class HoldHandler implements JobHandler<HoldHandler.Args, String> {

    public static final Map<String, CompletableFuture<String>> GATES = new ConcurrentHashMap<>();
    public static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
    public static final Set<String> SAW_CANCEL = ConcurrentHashMap.newKeySet();

    public record Args(String key, int holdAttempts) {
    }

    public static void release(String key, String result) {
        gate(key).complete(result);
    }

    public static void fail(String key, String message) {
        gate(key).completeExceptionally(new IllegalStateException(message));
    }

    private static CompletableFuture<String> gate(String key) {
        return GATES.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    @Override
    public String kind() {
        return "test-hold";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<String> handle(JobContext<Args> context) {
        String key = context.args().key();
        STARTED.add(key + "#" + context.attempt());
        if (context.attempt() > context.args().holdAttempts()) {
            return Uni.createFrom().item("done by attempt " + context.attempt());
        }
        context.cancelled().subscribe().with(x -> SAW_CANCEL.add(key));
        return Uni.createFrom().completionStage(() -> gate(key).thenApply(r -> r + " (attempt " + context.attempt() + ")"));
    }
}
