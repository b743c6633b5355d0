package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobFailure;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code test-fail}: fails every attempt, permanently when {@code permanent} is set. */
@ApplicationScoped
public class FailingHandler implements JobHandler<FailingHandler.Args, Void> {

    public record Args(boolean permanent) {
    }

    @Override
    public String kind() {
        return "test-fail";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Void> handle(JobContext<Args> context) {
        if (context.args().permanent()) {
            return Uni.createFrom().failure(JobFailure.permanent("bad input, attempt " + context.attempt()));
        }
        return Uni.createFrom().failure(new IllegalStateException("boom on attempt " + context.attempt()));
    }
}
