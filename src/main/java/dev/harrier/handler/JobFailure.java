package dev.harrier.handler;

import java.time.Duration;

/**
 * A failure a handler returns on purpose, to say what should happen next. Any other exception
 * fails the attempt and the job is retried with backoff while attempts remain.
 */
public sealed class JobFailure extends RuntimeException {

    private JobFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** Fails the job now: no retry, whatever attempts remain (bad input, a 404, a revoked key). */
    public static JobFailure permanent(String message) {
        return new Permanent(message, null);
    }

    public static JobFailure permanent(String message, Throwable cause) {
        return new Permanent(message, cause);
    }

    /** Fails this attempt and retries after {@code delay} instead of the backoff (a Retry-After). */
    public static JobFailure retryAfter(Duration delay, String message) {
        return new RetryAfter(delay, message);
    }

    /** The job must not be retried. */
    public static final class Permanent extends JobFailure {
        private Permanent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The job should be retried after a delay the handler chose. */
    public static final class RetryAfter extends JobFailure {
        private final Duration delay;

        private RetryAfter(Duration delay, String message) {
            super(message, null);
            this.delay = delay;
        }

        public Duration delay() {
            return delay;
        }
    }
}
