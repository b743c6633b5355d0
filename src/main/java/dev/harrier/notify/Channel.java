package dev.harrier.notify;

/**
 * The channels Harrier notifies on. A notification only says where to look; what it announces is
 * read from the tables, so a lost or merged one delays, never loses (the poll and the events table
 * are the safety net).
 */
public enum Channel {

    /** {@code workspace/queue}: jobs of that queue may be claimable. */
    JOBS("harrier_jobs"),
    /** A job id: a client asked to cancel that running job. */
    CANCEL("harrier_cancel"),
    /** {@code workspace/queue}: the queue's settings changed (pause, concurrency). */
    QUEUES("harrier_queues"),
    /** Empty: jobs with a {@code then} or a {@code callback} ended (see {@code harrier.job_followup}). */
    FOLLOWUPS("harrier_followups"),
    /** {@code job-id:seq,...}: new job events, 150 to a notification (see {@code harrier.notify_events}). */
    EVENTS("harrier_events");

    private final String sqlName;

    Channel(String sqlName) {
        this.sqlName = sqlName;
    }

    /** The name PostgreSQL knows it by, in {@code LISTEN} and {@code pg_notify}. */
    public String sqlName() {
        return sqlName;
    }
}
