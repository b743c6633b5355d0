package dev.harrier.remote;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A remote worker's claim: its name, the remote kinds it runs, the queues it takes them from
 * ({@code null}: all of the workspace's), at most how many jobs, and how long it waits for one.
 */
public record ClaimRequest(String workspace, String worker, List<String> kinds, List<String> queues, int max,
                           Duration waitFor, String limit) {

    /** A claim without a shared limit of its own. */
    public ClaimRequest(String workspace, String worker, List<String> kinds, List<String> queues, int max, Duration waitFor) {
        this(workspace, worker, kinds, queues, max, waitFor, null);
    }

    /** What a claim asks for, whoever asks: claims of one shape find the same jobs. */
    record Shape(Set<String> kinds, Set<String> queues, String limit) {
    }

    Shape shape() {
        return new Shape(Set.copyOf(kinds), queues == null ? null : Set.copyOf(queues), limit);
    }

    boolean takesFrom(String queue) {
        return queues == null || queue == null || queues.contains(queue);
    }
}
