package dev.harrier.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job row as clients see it. JSON columns are kept as JSON text. {@code schedule} and
 * {@code scheduledFor} name the schedule and fire time that created the job (null for others);
 * {@code triggered}: created by a trigger of that schedule, not at a fire time.
 * A child an {@code each} holds back has no {@code runAt} (null) until it is released.
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
        Instant finishedAt,
        Pipeline pipeline) {

    /**
     * What a job carries beyond one attempt: its {@code childFailure} policy, its children's counts
     * (null when it has none), its {@code then} and {@code callback} as enqueued, and its own retry
     * schedule (JSON text, or null).
     */
    public record Pipeline(String childFailure, Children children, String thenJson, String callbackJson, String backoffJson) {

        public static final Pipeline NONE = new Pipeline("ignore", null, null, null, null);
    }

    /** The direct children by status; {@code pending} counts every status not terminal but {@code running}. */
    public record Children(int total, int pending, int running, int completed, int failed, int cancelled) {
    }

    /** The latest progress report; every field may be null. */
    public record Progress(String step, String details, Long done, Long total) {
    }

    /** The latest failed attempt's error. */
    public record JobError(String message, String type, Integer attempt, Instant at) {
    }
}
