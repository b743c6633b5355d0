package dev.harrier.queue;

import dev.harrier.time.RetryBackoff;
import java.time.Instant;

/**
 * A kind a workspace declared as run by remote workers ({@code PUT /api/v1/kinds/{kind}}): its
 * arguments' JSON Schema and the defaults of its jobs, each null when not given.
 */
public record RemoteKind(String workspace, String name, String argsSchemaJson, Integer timeoutSeconds,
                         Integer maxAttempts, RetryBackoff backoff, String limit, Instant createdAt, Instant updatedAt) {
}
