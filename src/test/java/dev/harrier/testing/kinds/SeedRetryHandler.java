package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import dev.harrier.time.RetryBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** {@code test-seed-retry}: fails every attempt; its kind retries on the enrichment seed's 60, 120, 240, 480 s. */
@ApplicationScoped
public class SeedRetryHandler implements JobHandler<SeedRetryHandler.Args, Void> {

    public record Args(String note) {
    }

    @Override
    public String kind() {
        return "test-seed-retry";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Optional<RetryBackoff> backoff() {
        return Optional.of(new RetryBackoff(60, 2.0, 480, 0.0));
    }

    @Override
    public Uni<Void> handle(JobContext<Args> context) {
        return Uni.createFrom().failure(new IllegalStateException("Rate limit exceeded, attempt " + context.attempt()));
    }
}
