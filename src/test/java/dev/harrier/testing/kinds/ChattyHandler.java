package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code test-chatty}: reports progress {@code reports} times as fast as it can, logs {@code logs}
 * numbered lines (none if absent), completes.
 */
@ApplicationScoped
public class ChattyHandler implements JobHandler<ChattyHandler.Args, Long> {

    public record Args(int reports, Integer logs) {
    }

    @Override
    public String kind() {
        return "test-chatty";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Long> handle(JobContext<Args> context) {
        context.log().info("starting");
        int reports = context.args().reports();
        for (int i = 1; i <= reports; i++) {
            context.progress().report("counting", i + " of " + reports, (long) i, (long) reports);
        }
        int logs = context.args().logs() == null ? 0 : context.args().logs();
        for (int i = 1; i <= logs; i++) {
            context.log().info("line " + i);
        }
        context.log().info("finished counting");
        return Uni.createFrom().item((long) reports);
    }
}
