package dev.harrier.queue;

import dev.harrier.notify.Channel;
import dev.harrier.notify.Payloads;

/** A queue's settings, shared by every instance: paused, and a global concurrency (null: none). */
public record QueueSettings(String workspace, String name, boolean paused, Integer concurrency) {

    /** The key a notification on {@link Channel#JOBS} carries. */
    public String key() {
        return Payloads.queueKey(workspace, name);
    }
}
