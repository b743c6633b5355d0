package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.events.EventAppender;
import dev.harrier.events.PendingWrites;
import dev.harrier.events.ProgressThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event writes of the jobs remote workers run through this instance: each job's progress
 * throttled exactly as a Java handler's ({@code HARRIER_PROGRESS_THROTTLE}), and its writes counted,
 * so that its outcome is written after its last report. A job's entry goes at its outcome, or
 * after it stayed idle for ten minutes (its worker died: the rescue ends it elsewhere).
 */
@ApplicationScoped
public class ProgressThrottles {

    private static final Duration IDLE = Duration.ofMinutes(10);

    /** One job's writes and its throttled progress. */
    record Tracked(PendingWrites writes, ProgressThrottle progress, long[] lastUsed) {
        void touch() {
            lastUsed[0] = System.nanoTime();
        }
    }

    private final Map<UUID, Tracked> jobs = new ConcurrentHashMap<>();
    private final EventAppender appender;
    private final Vertx vertx;
    private final Duration throttle;
    private final long sweep;

    public ProgressThrottles(EventAppender appender, Vertx vertx, HarrierConfig config) {
        this.appender = appender;
        this.vertx = vertx;
        this.throttle = config.progress().throttle();
        this.sweep = vertx.setPeriodic(Duration.ofMinutes(1).toMillis(), id -> forgetIdle());
    }

    /** The writes of a job, created at its first report. */
    Tracked of(UUID jobId) {
        Tracked tracked = jobs.computeIfAbsent(jobId, id -> {
            PendingWrites writes = new PendingWrites();
            return new Tracked(writes, new ProgressThrottle(id, appender, writes, vertx, throttle), new long[1]);
        });
        tracked.touch();
        return tracked;
    }

    /**
     * Writes the job's pending progress; emits when every event write of the job is done. The job
     * stays tracked: a call whose lease turns out lost only wrote that report sooner.
     */
    Uni<Void> flush(UUID jobId) {
        Tracked tracked = jobs.get(jobId);
        return tracked == null ? Uni.createFrom().voidItem() : tracked.progress().flush();
    }

    /** The job's attempt ended: its entry goes. */
    void forget(UUID jobId) {
        jobs.remove(jobId);
    }

    private void forgetIdle() {
        long now = System.nanoTime();
        jobs.forEach((id, tracked) -> {
            if (now - tracked.lastUsed()[0] > IDLE.toNanos() && jobs.remove(id, tracked)) {
                // Starts the write of its last report; nothing waits for it.
                tracked.progress().flush();
            }
        });
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(sweep);
    }
}
