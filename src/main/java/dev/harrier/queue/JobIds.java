package dev.harrier.queue;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job ids are UUID version 7: the first 48 bits are the creation time in milliseconds, the next 12
 * a counter within that millisecond (RFC 9562, 6.2, method 1; it starts each millisecond at a
 * random value below 2,048, so that two ids do not tell how many jobs were made between them),
 * the last 62 random. New rows then land at the right edge of the primary key index instead of
 * all over it, ids are opaque and unguessable to clients (the random bits), and the ids one
 * instance makes only grow: jobs created in the same millisecond (a batch, an {@code each}'s
 * children) list in the order they were made (newest first), not in the order of random bits. An
 * id past the counter's end borrows the next millisecond, and a clock that steps back holds the
 * last one.
 */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Stamps STAMPS = new Stamps();

    private JobIds() {
    }

    public static UUID next() {
        return id(STAMPS.next(System.currentTimeMillis()));
    }

    /** The id of a stamp: {@code (millis << 12) | counter}. */
    static UUID id(long stamp) {
        long msb = ((stamp >>> 12) << 16) | (0x7L << 12) | (stamp & 0xFFF);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** The milliseconds and counters of one instance's ids, each greater than the last. */
    static final class Stamps {

        private final AtomicLong last = new AtomicLong();

        long next(long millis) {
            long now = millis << 12;
            return last.updateAndGet(previous -> now > (previous | 0xFFF)
                    ? now | ThreadLocalRandom.current().nextInt(1 << 11)
                    : previous + 1);
        }
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
