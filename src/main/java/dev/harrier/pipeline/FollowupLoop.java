package dev.harrier.pipeline;

import dev.harrier.config.HarrierConfig;
import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs {@link Followups} on this instance when a notification says a job with a {@code then} or a
 * {@code callback} ended, and every {@code harrier.pipeline.followup-interval} besides (a lost
 * notification delays, never loses). Every instance runs it; SKIP LOCKED shares the rows. One round
 * at a time; a full round is followed by another at once, a notification during a round by one more.
 */
@ApplicationScoped
public class FollowupLoop {

    private static final Logger LOG = Logger.getLogger(FollowupLoop.class);

    private final Followups followups;
    private final Vertx vertx;
    private final Notifier notifier;
    private final HarrierConfig.Pipeline config;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long timer = -1;
    private volatile Runnable subscription;
    private volatile boolean stopped;

    public FollowupLoop(Followups followups, Vertx vertx, Notifier notifier, HarrierConfig config) {
        this.followups = followups;
        this.vertx = vertx;
        this.notifier = notifier;
        this.config = config.pipeline();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            subscription = notifier.subscribe(Channel.FOLLOWUPS, payload -> vertx.runOnContext(this::run));
            timer = vertx.setPeriodic(config.followupInterval().toMillis(), id -> run());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (subscription != null) {
            subscription.run();
        }
    }

    private void run() {
        if (stopped) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        followups.runOnce().subscribe().with(
                taken -> {
                    running.set(false);
                    if (taken >= Followups.BATCH || again.get()) {
                        run();
                    }
                },
                failure -> {
                    running.set(false);
                    LOG.warnf("enqueueing the follow-ups of ended jobs failed (tried again in %s): %s",
                            config.followupInterval(), failure.getMessage());
                });
    }
}
