package dev.harrier.limit;

import java.time.Instant;

/**
 * A workspace's shared limit: at most {@code requests} every {@code perSeconds} and at most
 * {@code concurrency} in flight (either part may be absent), counted across every job that names it
 * and every instance.
 */
public record Limit(String workspace, String name, Integer requests, Double perSeconds, Integer concurrency,
                    Instant createdAt, Instant updatedAt) {

    public boolean hasRate() {
        return requests != null && perSeconds != null;
    }

    public boolean hasConcurrency() {
        return concurrency != null;
    }
}
