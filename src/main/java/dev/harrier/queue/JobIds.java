package dev.harrier.queue;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;

/**
 * Job ids are UUID version 7: the first 48 bits are the creation time in milliseconds, the rest
 * random. New rows then land at the right edge of the primary key index instead of all over it,
 * and ids are opaque and unguessable to clients.
 */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {
    }

    public static UUID next() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
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
