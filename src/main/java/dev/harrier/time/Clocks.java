package dev.harrier.time;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The clock and the ticker the service runs on: the system's. Any other bean of those types
 * replaces them (the tests' settable clock). Which decisions follow the instance's clock and which
 * the database's is written in docs/ARCHITECTURE.md ("Time").
 */
@Singleton
public class Clocks {

    // The class of the system's clock in every zone.
    private static final Class<? extends Clock> SYSTEM = Clock.systemUTC().getClass();

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    @DefaultBean
    Ticker ticker() {
        return Ticker.SYSTEM;
    }

    /**
     * What to bind for "now" in a statement that reads {@code coalesce($n::timestamptz, now())}:
     * nothing with the system's clock, so that the database's {@code now()} decides and every
     * instance judges shared time (a leader's expiry, what is due, retention) by one clock; the
     * clock's time when another clock replaced it (the tests' settable clock).
     */
    public static OffsetDateTime forSql(Clock clock) {
        return SYSTEM.isInstance(clock) ? null : clock.instant().atOffset(ZoneOffset.UTC);
    }
}
