package dev.harrier.bench;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code bench-ticker}: logs {@code t=<epoch microseconds>} every {@code everyMs}, {@code ticks} times (the
 * clients of the stream benchmark run in another process: they compare with the wall clock).
 */
@ApplicationScoped
public class TickerHandler implements JobHandler<TickerHandler.Args, Long> {

    public record Args(int ticks, int everyMs) {
    }

    @Override
    public String kind() {
        return "bench-ticker";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Long> handle(JobContext<Args> context) {
        return Multi.createFrom().ticks().every(Duration.ofMillis(context.args().everyMs()))
                .select().first(context.args().ticks())
                .onItem().invoke(tick -> context.log().info("t=" + ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now())))
                .collect().last();
    }
}
