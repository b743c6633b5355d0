package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code test-count}: counts how often each job ran. */
@ApplicationScoped
public class CountingHandler implements JobHandler<CountingHandler.Args, Integer> {

    public static final Map<UUID, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    public record Args(int n) {
    }

    @Override
    public String kind() {
        return "test-count";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Integer> handle(JobContext<Args> context) {
        RUNS.computeIfAbsent(context.jobId(), id -> new AtomicInteger()).incrementAndGet();
        return Uni.createFrom().item(context.args().n());
    }
}
