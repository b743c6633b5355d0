package dev.harrier.handler;

/** The log of a job, kept with the job and streamed as {@code log} events. */
public interface JobLog {

    void append(String level, String message);

    default void info(String message) {
        append("info", message);
    }

    default void warn(String message) {
        append("warn", message);
    }

    default void error(String message) {
        append("error", message);
    }
}
