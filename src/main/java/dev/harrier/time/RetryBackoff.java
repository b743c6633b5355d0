package dev.harrier.time;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * A retry schedule of a job or a kind: {@code min(maxSeconds, baseSeconds * factor^(n-1))} after
 * the {@code n}th failed attempt, of which a share {@code jitter} (0 to 1) is random: the delay is
 * between {@code (1 - jitter)} times that and that. Fields left out take the instance's
 * {@link Backoff} (its base, cap and factor; a jitter of 0.5, its "equal jitter"). The enrichment
 * seed's 60, 120, 240, 480 s is {@code {"baseSeconds": 60, "factor": 2, "maxSeconds": 480, "jitter": 0}}.
 */
public record RetryBackoff(Integer baseSeconds, Double factor, Integer maxSeconds, Double jitter) {

    public static final double DEFAULT_JITTER = 0.5;

    /** The delay after failed attempt number {@code attempt}, the instance's backoff filling in what is left out. */
    public Duration delayAfter(int attempt, Backoff defaults, DoubleSupplier random) {
        Duration base = baseSeconds == null ? defaults.base() : Duration.ofSeconds(baseSeconds);
        Duration cap = maxSeconds == null ? defaults.cap() : Duration.ofSeconds(maxSeconds);
        double growth = factor == null ? defaults.factor() : factor;
        double share = jitter == null ? DEFAULT_JITTER : jitter;
        long ceiling = new Backoff(base, cap.compareTo(base) < 0 ? base : cap, growth).ceilingAfter(attempt).toMillis();
        return Duration.ofMillis(Math.round(ceiling * (1 - share * random.getAsDouble())));
    }
}
