package dev.harrier.notify;

import java.util.Optional;
import java.util.UUID;

/**
 * The payloads of the {@link Channel}s, as the SQL functions write them ({@code harrier.notify_jobs},
 * {@code notify_queues} and {@code notify_cancel} in V6, {@code notify_events} in V3) and as the
 * subscribers read them. The events channel's codec is {@link EventRef#parse}.
 */
public final class Payloads {

    private Payloads() {
    }

    /** {@link Channel#JOBS} and {@link Channel#QUEUES}: {@code workspace/queue}. */
    public static String queueKey(String workspace, String queue) {
        return workspace + "/" + queue;
    }

    /** {@link Channel#CANCEL}: a job id; empty for a payload that is not one. */
    public static Optional<UUID> jobId(String payload) {
        if (payload == null || payload.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(payload));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
