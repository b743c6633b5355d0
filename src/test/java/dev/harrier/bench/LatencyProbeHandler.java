package dev.harrier.bench;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentLinkedQueue;

/** {@code bench-latency}: records, at handler start, the nanoseconds since {@code enqueuedAt}. */
@ApplicationScoped
public class LatencyProbeHandler implements JobHandler<LatencyProbeHandler.Args, Void> {

    public static final ConcurrentLinkedQueue<Long> LATENCIES_NANOS = new ConcurrentLinkedQueue<>();

    public record Args(long enqueuedAt) {
    }

    @Override
    public String kind() {
        return "bench-latency";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Void> handle(JobContext<Args> context) {
        LATENCIES_NANOS.add(System.nanoTime() - context.args().enqueuedAt());
        return Uni.createFrom().voidItem();
    }
}
