package dev.harrier.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delay before the next attempt: {@code d = min(cap, base * factor^(attempt-1))}, then "equal
 * jitter": half of {@code d} fixed, half random. With a factor of 2 or more each attempt's range
 * starts where the previous one ended, so delays grow while retries from many jobs that failed
 * together spread out instead of returning in lockstep.
 */
public record Backoff(Duration base, Duration cap, double factor) {

    public Backoff {
        if (base.isNegative() || cap.compareTo(base) < 0 || factor < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 <= base <= cap and factor >= 1");
        }
    }

    /** The delay after failed attempt number {@code attempt} (1 for the first). */
    public Duration delayAfter(int attempt) {
        return delayAfter(attempt, ThreadLocalRandom.current()::nextDouble);
    }

    /** The same, with the random source given (tests). */
    public Duration delayAfter(int attempt, DoubleSupplier random) {
        double exponential = base.toMillis() * Math.pow(factor, Math.max(0, attempt - 1));
        double capped = Math.min(cap.toMillis(), exponential);
        double jittered = capped / 2 + random.getAsDouble() * capped / 2;
        return Duration.ofMillis(Math.round(jittered));
    }
}
