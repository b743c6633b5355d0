package dev.harrier.queue;

import java.time.Instant;
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
        Instant startedAt) {
}
