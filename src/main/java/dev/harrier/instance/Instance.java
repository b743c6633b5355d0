package dev.harrier.instance;

import java.time.Instant;

/** A live instance sharing the database, as {@code GET /api/v1/instances} shows it. */
public record Instance(String id, String version, String region, Instant startedAt, Instant heartbeatAt, boolean worker,
                       boolean leader, int running) {
}
