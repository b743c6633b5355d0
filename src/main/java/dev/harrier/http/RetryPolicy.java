package dev.harrier.http;

import dev.harrier.secret.SecretRefused;

import dev.harrier.time.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * When an outbound request is worth another try and how long to wait first, for every kind that
 * makes requests: a reply whose status is {@link StatusClass#retryable() retryable}, after its
 * {@code Retry-After} when it gives one, else after the backoff (250 ms doubling up to 10 s, half
 * of it jittered); a connection error or a time-out likewise (a refused address never). Whether
 * the retry is another try within the attempt (a fan-out's item) or another attempt of the job
 * (the {@code http} kind) is the kind's to say.
 */
public final class RetryPolicy {

    private static final Backoff BACKOFF = Backoff.doubling(Duration.ofMillis(250), Duration.ofSeconds(10));

    private RetryPolicy() {
    }

    public static boolean retryable(OutboundReply reply) {
        return StatusClass.of(reply.status()).retryable();
    }

    /** A failure with no reply: worth another try unless the address guard refused the target. */
    public static boolean retryable(Throwable failure) {
        // Refused targets and secrets refused (gone, or not for this host) are refused again on every try.
        return !(failure instanceof AddressGuard.Refused) && !(failure instanceof SecretRefused);
    }

    /** The wait before try {@code tries + 1} after a reply: its {@code Retry-After}, or the backoff. */
    public static Duration delayAfter(OutboundReply reply, int tries, Clock clock) {
        Duration asked = retryAfter(reply, clock);
        return asked != null ? asked : BACKOFF.delayAfter(tries);
    }

    /** The wait before try {@code tries + 1} after a failure with no reply: the backoff. */
    public static Duration delayAfter(int tries) {
        return BACKOFF.delayAfter(tries);
    }

    /** The reply's {@code Retry-After}, as seconds or an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(OutboundReply reply, Clock clock) {
        return retryAfter(reply.header("Retry-After"), clock.instant());
    }

    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                Duration until = Duration.between(now, ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
    }
}
