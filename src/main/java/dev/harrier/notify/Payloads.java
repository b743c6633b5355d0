package dev.harrier.notify;

import java.util.Optional;
import java.util.UUID;

/**
 * The payloads of the {@link Channel}s, as the SQL functions write them ({@code harrier.notify_jobs},
 * {@code notify_queues} and {@code notify_cancel} in V6, {@code notify_events} in V3) and as the
 * subscribers read them. The events channel's codec is {@link EventRef#parse}.
 */
public final class Payloads {

    private static final int ORIGIN_LENGTH = 36;

    private Payloads() {
    }

    /** {@link Channel#JOBS} and {@link Channel#QUEUES}: {@code workspace/queue}. */
    public static String queueKey(String workspace, String queue) {
        return workspace + "/" + queue;
    }

    /**
     * The origin a payload names at its end ({@code harrier.notify_jobs_from}, V17: a space and the
     * UUID of the instance that sent it, which woke its own subscribers already), or null when it
     * names none. (A queue's name holds no space, so a key never ends like that.)
     */
    public static String origin(String payload) {
        int space = payload.length() - ORIGIN_LENGTH - 1;
        if (space < 0 || payload.charAt(space) != ' ') {
            return null;
        }
        return jobId(payload.substring(space + 1)).map(UUID::toString).orElse(null);
    }

    /** The payload without the origin it names, if any. */
    public static String withoutOrigin(String payload) {
        return origin(payload) == null ? payload : payload.substring(0, payload.length() - ORIGIN_LENGTH - 1);
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
