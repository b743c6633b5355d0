package dev.harrier.queue;

import java.util.List;

/**
 * What one claim took: the jobs, and whether the queue's {@code concurrency} stopped it (its jobs
 * running on every instance now reach the limit). A claim that came back short without reaching the
 * limit found the queue empty; one that reached it leaves jobs waiting for a slot of the queue to free.
 */
public record Claim(List<ClaimedJob> jobs, boolean atLimit) {

    public static Claim of(List<ClaimedJob> jobs) {
        return new Claim(jobs, false);
    }
}
