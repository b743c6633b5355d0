package dev.harrier.testing.kinds;

import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code test-overlap}: runs {@code sleepMs} and records, per {@code group}, how many of the group's
 * attempts ran at once at most (on this JVM: every instance a test starts shares it) and which
 * {@code n} ran.
 */
@ApplicationScoped
public class OverlapHandler implements JobHandler<OverlapHandler.Args, Integer> {

    public static final Map<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    public static final Map<String, AtomicInteger> MOST = new ConcurrentHashMap<>();
    public static final Map<String, Set<Integer>> SEEN = new ConcurrentHashMap<>();

    public record Args(String group, int n, long sleepMs) {
    }

    public static int most(String group) {
        AtomicInteger most = MOST.get(group);
        return most == null ? 0 : most.get();
    }

    public static Set<Integer> seen(String group) {
        return SEEN.getOrDefault(group, Set.of());
    }

    @Override
    public String kind() {
        return "test-overlap";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Uni<Integer> handle(JobContext<Args> context) {
        String group = context.args().group();
        int now = RUNNING.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
        MOST.computeIfAbsent(group, g -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        SEEN.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(context.args().n());
        return Uni.createFrom().item(context.args().n())
                .onItem().delayIt().by(Duration.ofMillis(context.args().sleepMs()))
                .eventually(() -> RUNNING.get(group).decrementAndGet());
    }
}
