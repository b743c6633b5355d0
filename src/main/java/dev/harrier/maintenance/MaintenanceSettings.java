package dev.harrier.maintenance;

import java.time.Duration;

/** Timings of the maintenance loops, retention of terminal jobs and of expired dataset records. */
public record MaintenanceSettings(
        Duration promoteInterval,
        Duration rescueInterval,
        Duration pruneInterval,
        Duration leaderTtl,
        Duration completedRetention,
        Duration failedRetention,
        Duration cancelledRetention,
        Duration expiredRecordRetention) {
}
