package dev.harrier.maintenance;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/** One task of the maintenance leader: run every {@link #interval()}, one batch a run. */
interface MaintenanceTask {

    /** As in the logs. */
    String name();

    Duration interval();

    /** Does one batch of the task's work; emits how many rows it changed. */
    Uni<Long> runOnce();
}
