package dev.harrier.time;

/**
 * Nanoseconds for measuring durations ({@link System#nanoTime()} in the service), passed in where
 * a duration decides something (timeouts, lease margins, pacing) so that a test can move it.
 */
@FunctionalInterface
public interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
