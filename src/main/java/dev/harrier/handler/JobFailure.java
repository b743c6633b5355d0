package dev.harrier.handler;

import java.time.Duration;

/**
 * A failure a handler returns on purpose, to say what should happen next and what kind of failure
 * it was ({@link #type()}, the job's {@code error.type}: one of {@link ErrorTypes}, or a word of the
 * handler's own). Any other exception fails the attempt, with the type {@code handler} (or
 * {@code timeout}, {@code connection} for those exceptions), and the job is retried with backoff
 * while attempts remain.
 */
public abstract sealed class JobFailure extends RuntimeException {

    private final String type;

    private JobFailure(String message, Throwable cause, String type) {
        super(message, cause);
        this.type = type;
    }

    /** The job's {@code error.type} for this failure. */
    public String type() {
        return type;
    }

    /** The same failure, reported with another {@code error.type}. */
    public JobFailure ofType(String errorType) {
        JobFailure typed = switch (this) {
            case Permanent p -> new Permanent(getMessage(), getCause(), errorType);
            case RetryAfter r -> new RetryAfter(r.delay(), getMessage(), errorType);
            case Retry r -> new Retry(getMessage(), getCause(), errorType);
        };
        typed.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            typed.addSuppressed(suppressed);
        }
        return typed;
    }

    /** Fails this attempt; the job is retried with backoff while attempts remain. */
    public static JobFailure retry(String message) {
        return new Retry(message, null, ErrorTypes.HANDLER);
    }

    /** Fails the job now: no retry, whatever attempts remain (bad input, a 404, a revoked key). */
    public static JobFailure permanent(String message) {
        return new Permanent(message, null, ErrorTypes.HANDLER);
    }

    public static JobFailure permanent(String message, Throwable cause) {
        return new Permanent(message, cause, ErrorTypes.HANDLER);
    }

    /** Fails this attempt and retries after {@code delay} instead of the backoff (a Retry-After). */
    public static JobFailure retryAfter(Duration delay, String message) {
        return new RetryAfter(delay, message, ErrorTypes.HANDLER);
    }

    /** The job must not be retried. */
    public static final class Permanent extends JobFailure {
        private Permanent(String message, Throwable cause, String type) {
            super(message, cause, type);
        }
    }

    /** The attempt failed; the job is retried with backoff. */
    public static final class Retry extends JobFailure {
        private Retry(String message, Throwable cause, String type) {
            super(message, cause, type);
        }
    }

    /** The job should be retried after a delay the handler chose. */
    public static final class RetryAfter extends JobFailure {
        private final Duration delay;

        private RetryAfter(Duration delay, String message, String type) {
            super(message, null, type);
            this.delay = delay;
        }

        public Duration delay() {
            return delay;
        }
    }
}
