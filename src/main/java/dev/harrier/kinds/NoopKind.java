package dev.harrier.kinds;

import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/** The {@code noop} kind: completes after {@code sleepMs}. For benchmarks and smoke tests. */
@ApplicationScoped
public class NoopKind implements JobHandler<NoopKind.Args, NoopKind.Result> {

    static final long MAX_SLEEP_MS = Duration.ofHours(1).toMillis();

    /** {@code {"sleepMs": 0}}. */
    public record Args(long sleepMs) {
    }

    public record Result(long sleptMs) {
    }

    @Override
    public String kind() {
        return "noop";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        if (args.sleepMs() < 0 || args.sleepMs() > MAX_SLEEP_MS) {
            return List.of(new FieldProblem("sleepMs", "must be between 0 and " + MAX_SLEEP_MS));
        }
        return List.of();
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        long sleep = context.args().sleepMs();
        if (sleep == 0) {
            return Uni.createFrom().item(new Result(0));
        }
        return Uni.createFrom().item(new Result(sleep))
                .onItem().delayIt().by(Duration.ofMillis(sleep));
    }
}
