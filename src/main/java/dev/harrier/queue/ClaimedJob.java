package dev.harrier.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A job this instance has just claimed: what the worker needs to run its attempt. */
public record ClaimedJob(
        UUID id,
        String workspace,
        String queue,
        String kind,
        String argsJson,
        int attempt,
        int maxAttempts,
        Integer timeoutSeconds,
        Instant runAt,
        Instant startedAt,
        List<String> tags,
        String backoffJson) {

    public ClaimedJob {
        tags = tags == null ? List.of() : tags;
    }

    /** A job with tags and without a backoff of its own. */
    public ClaimedJob(UUID id, String workspace, String queue, String kind, String argsJson, int attempt, int maxAttempts,
                      Integer timeoutSeconds, Instant runAt, Instant startedAt, List<String> tags) {
        this(id, workspace, queue, kind, argsJson, attempt, maxAttempts, timeoutSeconds, runAt, startedAt, tags, null);
    }

    /** A job without tags. */
    public ClaimedJob(UUID id, String workspace, String queue, String kind, String argsJson, int attempt, int maxAttempts,
                      Integer timeoutSeconds, Instant runAt, Instant startedAt) {
        this(id, workspace, queue, kind, argsJson, attempt, maxAttempts, timeoutSeconds, runAt, startedAt, List.of());
    }
}
