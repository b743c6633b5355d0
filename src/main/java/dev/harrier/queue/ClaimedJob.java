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
        List<String> tags) {

    public ClaimedJob {
        tags = tags == null ? List.of() : tags;
    }

    /** A job without tags. */
    public ClaimedJob(UUID id, String workspace, String queue, String kind, String argsJson, int attempt, int maxAttempts,
                      Integer timeoutSeconds, Instant runAt, Instant startedAt) {
        this(id, workspace, queue, kind, argsJson, attempt, maxAttempts, timeoutSeconds, runAt, startedAt, List.of());
    }
}
