package dev.harrier.queue;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job ids are UUID version 7: the first 48 bits are the creation time in milliseconds, the next 12
 * a counter within that millisecond (RFC 9562, 6.2, method 1), the last 62 random. New rows then
 * land at the right edge of the primary key index instead of all over it, ids are opaque and
 * unguessable to clients (the random bits), and the ids one instance makes only grow: jobs created
 * in the same millisecond (a batch, an {@code each}'s children) list in the order they were made
 * (newest first), not in the order of random bits. A 4,097th id in one millisecond borrows the next.
 */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    // The last id's milliseconds and counter, as (millis << 12) | counter.
    private static final AtomicLong LAST = new AtomicLong();

    private JobIds() {
    }

    public static UUID next() {
        long now = System.currentTimeMillis() << 12;
        long stamp = LAST.updateAndGet(last -> Math.max(now, last + 1));
        long msb = ((stamp >>> 12) << 16) | (0x7L << 12) | (stamp & 0xFFF);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** Parses a client-supplied id; empty when it is not a UUID. */
    public static Optional<UUID> parse(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
