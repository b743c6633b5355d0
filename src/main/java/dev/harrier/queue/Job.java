package dev.harrier.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job row as clients see it. JSON columns are kept as JSON text. {@code schedule} and
 * {@code scheduledFor} name the schedule and fire time that created the job (null for others);
 * {@code triggered}: created by a trigger of that schedule, not at a fire time.
 */
public record Job(
        UUID id,
        String workspace,
        String queue,
        String kind,
        JobStatus status,
        int priority,
        int attempt,
        int maxAttempts,
        String argsJson,
        Integer timeoutSeconds,
        Progress progress,
        String resultJson,
        JobError error,
        String uniqueKey,
        List<String> tags,
        UUID parentId,
        String schedule,
        Instant scheduledFor,
        boolean triggered,
        long lastEventSeq,
        Instant createdAt,
        Instant updatedAt,
        Instant runAt,
        Instant startedAt,
        Instant finishedAt) {

    /** The latest progress report; every field may be null. */
    public record Progress(String step, String details, Long done, Long total) {
    }

    /** The latest failed attempt's error. */
    public record JobError(String message, String type, Integer attempt, Instant at) {
    }
}
