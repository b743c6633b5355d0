package dev.harrier.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How one host has been answering lately: a count of consecutive failures (5xx, 408, 429, time-outs
 * and connection errors) that any success resets. A host that keeps failing is slowed down: from the
 * {@value #THRESHOLD}rd failure in a row on, each request waits first, {@code 250 ms} doubling up to
 * {@code 10 s}. Without it, a job of thousands of URLs on a host that is down (or rate limiting us)
 * would hammer it at full concurrency until every URL had used up its retries.
 */
final class HostHealth {

    static final int THRESHOLD = 3;
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(10);

    private final AtomicInteger failures = new AtomicInteger();

    void succeeded() {
        failures.set(0);
    }

    void failed() {
        failures.incrementAndGet();
    }

    int consecutiveFailures() {
        return failures.get();
    }

    /** How long the next request to this host waits before it is sent. */
    Duration delay() {
        return delayAfter(failures.get());
    }

    static Duration delayAfter(int consecutiveFailures) {
        if (consecutiveFailures < THRESHOLD) {
            return Duration.ZERO;
        }
        int doublings = Math.min(consecutiveFailures - THRESHOLD, 16);
        long millis = FIRST_DELAY.toMillis() << doublings;
        return Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
    }
}
