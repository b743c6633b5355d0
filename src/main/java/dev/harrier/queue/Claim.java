package dev.harrier.queue;

import java.util.List;

/**
 * What one claim took: the jobs; whether the queue's {@code concurrency} stopped it (the permits
 * this instance holds of it were all taken: {@code held}, null for a queue without one). A claim
 * that came back short without reaching the limit found the queue empty; one that reached it leaves
 * jobs waiting for a permit to free.
 */
public record Claim(List<ClaimedJob> jobs, boolean atLimit, QueueHolds.Held held) {

    public static Claim of(List<ClaimedJob> jobs) {
        return new Claim(jobs, false, null);
    }
}
