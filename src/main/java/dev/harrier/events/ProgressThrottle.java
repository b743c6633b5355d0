package dev.harrier.events;

import dev.harrier.handler.ProgressReporter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.UUID;

/**
 * Progress of one running job, written at most once per throttle interval: reports in between
 * only replace the pending snapshot. {@link #flush()} writes the last one before the job's outcome.
 */
public final class ProgressThrottle implements ProgressReporter {

    private final UUID jobId;
    private final EventAppender appender;
    private final PendingWrites writes;
    private final Vertx vertx;
    private final long throttleNanos;

    private String step;
    private String details;
    private Long done;
    private Long total;
    private boolean dirty;
    private boolean timerArmed;
    private long lastWriteNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    public ProgressThrottle(UUID jobId, EventAppender appender, PendingWrites writes, Vertx vertx, Duration throttle) {
        this.jobId = jobId;
        this.appender = appender;
        this.writes = writes;
        this.vertx = vertx;
        this.throttleNanos = throttle.toNanos();
    }

    @Override
    public void report(String newStep, String newDetails, Long newDone, Long newTotal) {
        EventDraft now = null;
        long waitNanos = 0;
        synchronized (this) {
            step = newStep != null ? newStep : step;
            details = newDetails != null ? newDetails : details;
            done = newDone != null ? newDone : done;
            total = newTotal != null ? newTotal : total;
            dirty = true;
            if (timerArmed) {
                return;
            }
            waitNanos = throttleNanos - (System.nanoTime() - lastWriteNanos);
            if (waitNanos <= 0) {
                now = takeSnapshot();
            } else {
                timerArmed = true;
            }
        }
        if (now != null) {
            writes.track(appender.append(now));
        } else {
            vertx.setTimer(Math.max(1, waitNanos / 1_000_000), id -> onTimer());
        }
    }

    /** Writes the pending snapshot, if any; emits when every event write of the job is done. */
    public Uni<Void> flush() {
        EventDraft pending;
        synchronized (this) {
            pending = dirty ? takeSnapshot() : null;
        }
        if (pending != null) {
            writes.track(appender.append(pending));
        }
        return writes.idle();
    }

    private void onTimer() {
        EventDraft pending;
        synchronized (this) {
            timerArmed = false;
            pending = dirty ? takeSnapshot() : null;
        }
        if (pending != null) {
            writes.track(appender.append(pending));
        }
    }

    private EventDraft takeSnapshot() {
        dirty = false;
        lastWriteNanos = System.nanoTime();
        JsonObject data = new JsonObject()
                .put("step", step)
                .put("details", details)
                .put("done", done)
                .put("total", total);
        return new EventDraft(jobId, "progress", data.encode());
    }
}
