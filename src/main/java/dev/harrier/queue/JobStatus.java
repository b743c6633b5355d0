package dev.harrier.queue;

import java.util.Locale;

/**
 * The statuses of a job; see docs/ARCHITECTURE.md for the machine. {@code waiting}: the job's handler
 * succeeded and it waits for its children.
 */
public enum JobStatus {
    SCHEDULED, PENDING, RUNNING, RETRYING, WAITING, COMPLETED, FAILED, CANCELLED;

    /** completed, failed (the dead letter) and cancelled: nothing happens to the job any more. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The name in the API and the database. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
