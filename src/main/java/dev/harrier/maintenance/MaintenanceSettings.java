package dev.harrier.maintenance;

import java.time.Duration;

/** Timings of the maintenance loops and retention of terminal jobs. */
public record MaintenanceSettings(
        Duration promoteInterval,
        Duration rescueInterval,
        Duration pruneInterval,
        Duration leaderTtl,
        Duration completedRetention,
        Duration failedRetention,
        Duration cancelledRetention) {
}
