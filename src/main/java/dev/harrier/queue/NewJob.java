package dev.harrier.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job to enqueue, already validated: its kind exists and {@code argsJson} is the kind's
 * arguments as JSON text. {@code runAt}, {@code timeoutSeconds}, {@code uniqueKey} and
 * {@code parentId} may be null.
 */
record NewJob(
        String workspace,
        String queue,
        String kind,
        String argsJson,
        int priority,
        Instant runAt,
        int maxAttempts,
        Integer timeoutSeconds,
        String uniqueKey,
        List<String> tags,
        UUID parentId) {

    public static final String DEFAULT_QUEUE = "default";
    public static final String DEFAULT_WORKSPACE = "default";

    public NewJob {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
