package dev.harrier.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job to enqueue, already validated: its kind exists and {@code argsJson} is the kind's
 * arguments as JSON text. {@code runAt}, {@code timeoutSeconds}, {@code uniqueKey},
 * {@code parentId}, {@code schedule} and {@code scheduledFor} may be null (the last two are set by
 * schedules only).
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
        UUID parentId,
        String schedule,
        Instant scheduledFor,
        boolean triggered) {

    public static final String DEFAULT_QUEUE = "default";
    public static final String DEFAULT_WORKSPACE = "default";

    public NewJob {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
