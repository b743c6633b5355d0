package dev.harrier.queue;

/** A queue's settings, shared by every instance: paused, and a global concurrency (null: none). */
public record QueueSettings(String workspace, String name, boolean paused, Integer concurrency) {

    /** The key a NOTIFY on {@code harrier_jobs} carries: {@code workspace/name}. */
    public String key() {
        return workspace + "/" + name;
    }
}
