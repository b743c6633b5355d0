package dev.harrier.queue;

import java.time.Instant;
import java.util.UUID;

/**
 * How an attempt ended, to be written with its siblings in one statement. The status it leads to
 * is one of completed, retrying, failed, cancelled, or pending (handed back on shutdown).
 */
public record Outcome(
        UUID jobId,
        int attempt,
        JobStatus status,
        String resultJson,
        Instant runAt,
        String errorMessage,
        String errorType) {

    public static Outcome completed(ClaimedJob job, String resultJson) {
        return new Outcome(job.id(), job.attempt(), JobStatus.COMPLETED, resultJson, null, null, null);
    }

    public static Outcome retrying(ClaimedJob job, Instant runAt, String message, String type) {
        return new Outcome(job.id(), job.attempt(), JobStatus.RETRYING, null, runAt, message, type);
    }

    public static Outcome failed(ClaimedJob job, String message, String type) {
        return new Outcome(job.id(), job.attempt(), JobStatus.FAILED, null, null, message, type);
    }

    public static Outcome cancelled(ClaimedJob job) {
        return new Outcome(job.id(), job.attempt(), JobStatus.CANCELLED, null, null, null, null);
    }

    /** Back to pending for another instance from {@code now} on, the attempt not counted (graceful shutdown). */
    public static Outcome handedBack(ClaimedJob job, Instant now) {
        return new Outcome(job.id(), job.attempt(), JobStatus.PENDING, null, now, null, null);
    }
}
