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
        boolean triggered,
        Links links) {

    public static final String DEFAULT_QUEUE = "default";
    public static final String DEFAULT_WORKSPACE = "default";

    /**
     * The pipeline fields: {@code childFailure}, {@code then} and {@code callback} (JSON text or
     * null); {@code held}: a child an {@code each} holds back; {@code childKey}: unique under the
     * parent; {@code invalid}: why the job could not be made (it is created failed with it).
     */
    record Links(String childFailure, String thenJson, String callbackJson, boolean held, String childKey, String invalid,
                 String backoffJson) {

        static final Links NONE = new Links(null, null, null, false, null, null, null);

        Links withChild(boolean held, String childKey, String invalid) {
            return new Links(childFailure, thenJson, callbackJson, held, childKey, invalid, backoffJson);
        }
    }

    public NewJob {
        tags = tags == null ? List.of() : List.copyOf(tags);
        links = links == null ? Links.NONE : links;
    }

    NewJob with(Links other) {
        return new NewJob(workspace, queue, kind, argsJson, priority, runAt, maxAttempts, timeoutSeconds, uniqueKey, tags,
                parentId, schedule, scheduledFor, triggered, other);
    }
}
