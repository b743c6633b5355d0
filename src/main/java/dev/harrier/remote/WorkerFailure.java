package dev.harrier.remote;

/**
 * A remote worker's {@code fail}: its message and type (stored as {@code worker:<type>}), whether
 * the job may be retried, and after how long ({@code null}: the kind's backoff).
 */
public record WorkerFailure(String message, String type, boolean retryable, Integer retryAfterSeconds) {
}
