package dev.harrier.remote;

import java.time.Duration;
import java.util.List;

/**
 * A remote worker's claim: its name, the remote kinds it runs, the queues it takes them from
 * ({@code null}: all of the workspace's), at most how many jobs, and how long it waits for one.
 */
public record ClaimRequest(String workspace, String worker, List<String> kinds, List<String> queues, int max,
                           Duration waitFor) {

    boolean takesFrom(String queue) {
        return queues == null || queue == null || queues.contains(queue);
    }
}
