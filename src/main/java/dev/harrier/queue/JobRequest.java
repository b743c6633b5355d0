package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job as a client asks for it (the body of {@code POST /api/v1/jobs}); only {@code kind} is
 * required, the rest may be null and take their defaults.
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
        UUID parentId) {

    /** The smallest request: a kind and its arguments. */
    public static JobRequest of(String kind, JsonNode args) {
        return new JobRequest(kind, null, args, null, null, null, null, null, null, null);
    }
}
