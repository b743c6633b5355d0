package dev.harrier.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How one host has been answering lately: a count of consecutive failures (5xx, 408, 429, time-outs
 * and connection errors) that any success resets. A host that keeps failing is slowed down: from the
 * {@value #THRESHOLD}rd failure in a row on, its requests go out one at a time, spaced by
 * {@code 250 ms} doubling per failure up to {@code 10 s} ({@link #reserve}). Without it, a job of
 * thousands of URLs on a host that is down (or rate limiting us) would hammer it at full
 * concurrency until every URL had used up its retries.
 */
final class HostHealth {

    static final int THRESHOLD = 3;
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(10);

    /** A request's turn on a failing host: its time, and the recovery count it was given under. */
    record Turn(long atNanos, int recoveries) {
    }

    private final AtomicInteger failures = new AtomicInteger();
    private volatile int recoveries;
    private long nextTurn;

    void succeeded() {
        if (failures.getAndSet(0) >= THRESHOLD) {
            synchronized (this) {
                recoveries++;
                nextTurn = 0;
            }
        }
    }

    void failed() {
        failures.incrementAndGet();
    }

    int consecutiveFailures() {
        return failures.get();
    }

    /**
     * The turn of a request about to be sent at {@code nowNanos}, or {@code null} when the host is
     * healthy and it goes at once. On a failing host every request gets its own turn, one delay
     * after the one before, so requests are spaced however many wait side by side.
     */
    Turn reserve(long nowNanos) {
        Duration delay = delayAfter(failures.get());
        if (delay.isZero()) {
            return null;
        }
        synchronized (this) {
            nextTurn = Math.max(nowNanos, nextTurn) + delay.toNanos();
            return new Turn(nextTurn, recoveries);
        }
    }

    /** Whether the host has answered again since the turn was given: its waiters need not wait on. */
    boolean recoveredSince(Turn turn) {
        return recoveries != turn.recoveries();
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
