package dev.harrier.testing;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock of every {@code @QuarkusTest} (it replaces the service's, see {@code time.Clocks}): the
 * system's, moved forward by what a test advanced it. A test that waits for a leader's row or a
 * token to expire advances it instead of sleeping, and resets it after. The ticker stays the
 * system's: durations that decide timeouts and lease margins of running jobs are not moved.
 */
@Singleton
public class TestClock extends Clock {

    private final AtomicLong offsetNanos = new AtomicLong();

    /** Moves the clock forward. */
    public void advance(Duration by) {
        offsetNanos.addAndGet(by.toNanos());
    }

    /** Back to the system's time. */
    public void reset() {
        offsetNanos.set(0);
    }

    @Override
    public Instant instant() {
        return Instant.now().plusNanos(offsetNanos.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.offset(Clock.system(zone), Duration.ofNanos(offsetNanos.get()));
    }
}
