package dev.harrier.testing.kinds;

import dev.harrier.handler.ItemResult;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code test-items}: a fan-out job of {@code count} items that skips those already finished; its
 * first attempt fails (a "crash") after {@code failAfter} items. Records which items each attempt did.
 */
@ApplicationScoped
public class ItemsHandler implements JobHandler<ItemsHandler.Args, Integer> {

    public static final Map<String, List<Integer>> DONE_BY_ATTEMPT = new ConcurrentHashMap<>();

    public record Args(int count, int failAfter) {
    }

    @Override
    public String kind() {
        return "test-items";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Integer> handle(JobContext<Args> context) {
        UUID id = context.jobId();
        List<Integer> done = DONE_BY_ATTEMPT.computeIfAbsent(id + "#" + context.attempt(), k -> new CopyOnWriteArrayList<>());
        return context.finishedItems().map(finished -> {
            for (int i = 0; i < context.args().count(); i++) {
                if (finished.contains(i)) {
                    continue;
                }
                if (context.attempt() == 1 && done.size() == context.args().failAfter()) {
                    throw new IllegalStateException("crashed after " + done.size() + " items");
                }
                boolean ok = i % 3 != 0;
                context.recordItem(new ItemResult(i, "https://example.test/" + i, ok, ok ? 200 : 500, 1, 5,
                        ok ? "{\"n\": " + i + "}" : null, ok ? null : "HTTP 500"));
                done.add(i);
            }
            return context.args().count();
        });
    }
}
