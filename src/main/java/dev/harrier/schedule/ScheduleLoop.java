package dev.harrier.schedule;

import dev.harrier.config.HarrierConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Fires due schedules on this instance every {@code harrier.schedule.interval}, on the database's
 * clock. Every instance runs it (API-only ones too): a fire is missed only when none runs, and the
 * row lock in {@link ScheduleFirer} keeps them from deciding one fire twice. One round at a time; a
 * round that found a full page of due schedules is followed by another at once.
 */
@ApplicationScoped
public class ScheduleLoop {

    private static final Logger LOG = Logger.getLogger(ScheduleLoop.class);

    private final ScheduleFirer firer;
    private final Vertx vertx;
    private final HarrierConfig.Schedule config;
    private final AtomicBoolean firing = new AtomicBoolean();
    private volatile long timer = -1;
    private volatile boolean stopped;

    public ScheduleLoop(ScheduleFirer firer, Vertx vertx, HarrierConfig config) {
        this.firer = firer;
        this.vertx = vertx;
        this.config = config.schedule();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(config.interval().toMillis(), id -> fireDue());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void fireDue() {
        if (stopped || !firing.compareAndSet(false, true)) {
            return;
        }
        firer.fireDue(null, config.misfireGrace()).subscribe().with(
                round -> {
                    firing.set(false);
                    if (round.schedules() >= ScheduleFirer.DUE_PER_ROUND) {
                        fireDue();
                    }
                },
                failure -> {
                    firing.set(false);
                    LOG.warnf("firing due schedules failed (tried again in %d ms): %s", config.interval().toMillis(),
                            failure.getMessage());
                });
    }
}
