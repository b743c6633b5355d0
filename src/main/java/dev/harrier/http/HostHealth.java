package dev.harrier.http;

import dev.harrier.time.Backoff;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How one host has been answering lately: a count of consecutive failures (5xx, 408, 429, time-outs
 * and connection errors) that any success resets. A host that keeps failing is slowed down: from the
 * {@value #THRESHOLD}rd failure in a row on, its requests start at most one per delay, {@code 250 ms}
 * doubling per failure up to {@code 10 s} ({@link #claim}). Without it, a job of thousands of URLs on
 * a host that is down (or rate limiting us) would hammer it at full concurrency until every URL had
 * used up its retries.
 */
final class HostHealth {

    static final int THRESHOLD = 3;
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    private static final Backoff PACING = Backoff.doubling(FIRST_DELAY, Duration.ofSeconds(10));

    private final AtomicInteger failures = new AtomicInteger();
    private long lastStart = Long.MIN_VALUE / 2;

    void succeeded() {
        failures.set(0);
    }

    void failed() {
        failures.incrementAndGet();
    }

    int consecutiveFailures() {
        return failures.get();
    }

    /**
     * Claims the start of a request at {@code nowNanos}: returns 0 when it may start now (and records
     * the start), or how many nanoseconds to wait before asking again. Turns are claimed when a
     * waiter wakes, not booked ahead, so a waiter that gives up holds nothing back, and a host that
     * answers again lets every waiter go at its next ask.
     */
    synchronized long claim(long nowNanos) {
        long delay = delayAfter(failures.get()).toNanos();
        long due = lastStart + delay;
        if (delay == 0 || nowNanos - due >= 0) {
            lastStart = nowNanos;
            return 0;
        }
        return due - nowNanos;
    }

    static Duration delayAfter(int consecutiveFailures) {
        if (consecutiveFailures < THRESHOLD) {
            return Duration.ZERO;
        }
        return PACING.ceilingAfter(Math.min(consecutiveFailures - THRESHOLD + 1, 64));
    }
}
