package dev.harrier.http;

/**
 * The one reading of an HTTP status in the service: whether a kind tries it again, and whether it
 * counts against its host (whose requests are then paced, see {@link HostHealth}). The kinds
 * ({@code http}, {@code scrape}, {@code enrich}) and {@link HostLimiter} all ask here.
 */
public enum StatusClass {

    /** 1xx to 3xx (redirects that were not followed end here too). */
    SUCCESS(false, false),
    /** Any other 4xx: asking again gets the same answer. */
    CLIENT_ERROR(false, false),
    /** 425: ask again later; says nothing bad of the host. */
    TOO_EARLY(true, false),
    /** 408. */
    REQUEST_TIMEOUT(true, true),
    /** 429. */
    RATE_LIMITED(true, true),
    /** 5xx. */
    SERVER_ERROR(true, true);

    private final boolean retryable;
    private final boolean hostFailing;

    StatusClass(boolean retryable, boolean hostFailing) {
        this.retryable = retryable;
        this.hostFailing = hostFailing;
    }

    public static StatusClass of(int status) {
        if (status >= 500) {
            return SERVER_ERROR;
        }
        return switch (status) {
            case 408 -> REQUEST_TIMEOUT;
            case 425 -> TOO_EARLY;
            case 429 -> RATE_LIMITED;
            default -> status >= 400 ? CLIENT_ERROR : SUCCESS;
        };
    }

    /** Worth another try, after the reply's {@code Retry-After} or a backoff ({@link RetryPolicy}). */
    public boolean retryable() {
        return retryable;
    }

    /** Counts as a failure of the host: enough of them in a row slow its requests down. */
    boolean hostFailing() {
        return hostFailing;
    }
}
