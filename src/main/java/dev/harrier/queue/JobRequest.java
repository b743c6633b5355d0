package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job as a client asks for it (the body of {@code POST /api/v1/jobs}); only {@code kind} is
 * required, the rest may be null and take their defaults. {@code childFailure} ({@code ignore} or
 * {@code fail}), {@code then} (an enqueue body, filled in when the job completes) and
 * {@code callback} ({@code {"url", "headers", "on"}}) are the pipeline fields.
 */
public record JobRequest(
        String kind,
        String queue,
        JsonNode args,
        Integer priority,
        Instant runAt,
        Integer maxAttempts,
        Integer timeoutSeconds,
        String uniqueKey,
        List<String> tags,
        UUID parentId,
        String childFailure,
        JsonNode then,
        JsonNode callback,
        JsonNode backoff) {

    /** A request without pipeline fields. */
    public JobRequest(String kind, String queue, JsonNode args, Integer priority, Instant runAt, Integer maxAttempts,
                      Integer timeoutSeconds, String uniqueKey, List<String> tags, UUID parentId) {
        this(kind, queue, args, priority, runAt, maxAttempts, timeoutSeconds, uniqueKey, tags, parentId, null, null, null, null);
    }

    /** The smallest request: a kind and its arguments. */
    public static JobRequest of(String kind, JsonNode args) {
        return new JobRequest(kind, null, args, null, null, null, null, null, null, null);
    }

    /** The same request as a child of {@code parent}. */
    public JobRequest withParent(UUID parent) {
        return new JobRequest(kind, queue, args, priority, runAt, maxAttempts, timeoutSeconds, uniqueKey, tags, parent,
                childFailure, then, callback, backoff);
    }
}
