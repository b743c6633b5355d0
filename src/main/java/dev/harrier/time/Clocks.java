package dev.harrier.time;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The clock and the ticker the service runs on: the system's. Any other bean of those types
 * replaces them (the tests' settable clock). Which decisions follow the instance's clock and which
 * the database's is written in docs/ARCHITECTURE.md ("Time").
 */
@Singleton
public class Clocks {

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
}
