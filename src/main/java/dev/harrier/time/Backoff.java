package dev.harrier.time;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one backoff of the service: {@code d = min(cap, base * factor^(n-1))} after the {@code n}th
 * failure in a row. {@link #delayAfter} adds "equal jitter" (half of {@code d} fixed, half random):
 * with a factor of 2 or more each attempt's range starts where the previous one ended, so delays
 * grow while retries of many things that failed together spread out instead of returning in
 * lockstep. It spaces job attempts, a fan-out's retries of one item, an outcome's writes through a
 * database blip and the notifier's reconnects. {@link #ceilingAfter} is {@code d} itself, for
 * pacing that must be predictable (a failing host's requests, see {@code http.HostHealth}).
 */
public record Backoff(Duration base, Duration cap, double factor) {

    public Backoff {
        if (base.isNegative() || cap.compareTo(base) < 0 || factor < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 <= base <= cap and factor >= 1");
        }
    }

    /** Doubling from {@code base} up to {@code cap}. */
    public static Backoff doubling(Duration base, Duration cap) {
        return new Backoff(base, cap, 2.0);
    }

    /** The delay after failed attempt number {@code attempt} (1 for the first). */
    public Duration delayAfter(int attempt) {
        return delayAfter(attempt, ThreadLocalRandom.current()::nextDouble);
    }

    /** The same, with the source of randomness given. */
    public Duration delayAfter(int attempt, DoubleSupplier random) {
        double capped = cappedMillis(attempt);
        double jittered = capped / 2 + random.getAsDouble() * capped / 2;
        return Duration.ofMillis(Math.round(jittered));
    }

    /** The delay after failure number {@code attempt} without jitter: the most {@link #delayAfter} gives. */
    public Duration ceilingAfter(int attempt) {
        return Duration.ofMillis(Math.round(cappedMillis(attempt)));
    }

    private double cappedMillis(int attempt) {
        double exponential = base.toMillis() * Math.pow(factor, Math.max(0, attempt - 1));
        return Math.min(cap.toMillis(), exponential);
    }
}
