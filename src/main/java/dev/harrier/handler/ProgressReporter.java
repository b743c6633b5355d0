package dev.harrier.handler;

/**
 * Progress of a running job: a step name, free-text details, and counts. Each call replaces the
 * previous report; fields passed as {@code null} keep their last value.
 */
public interface ProgressReporter {

    void report(String step, String details, Long done, Long total);

    default void step(String step) {
        report(step, null, null, null);
    }

    default void details(String details) {
        report(null, details, null, null);
    }

    default void counts(long done, long total) {
        report(null, null, done, total);
    }
}
