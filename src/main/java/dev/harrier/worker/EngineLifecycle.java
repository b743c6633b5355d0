package dev.harrier.worker;

import dev.harrier.config.HarrierConfig;
import dev.harrier.instance.InstanceRows;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Starts this service's engine with the application and stops it gracefully on shutdown (SIGTERM):
 * the shutdown waits for the drain, which {@code harrier.worker.shutdown-grace} bounds.
 */
@ApplicationScoped
public class EngineLifecycle {

    private static final Logger LOG = Logger.getLogger(EngineLifecycle.class);
    private static final Duration STOP_MARGIN = Duration.ofSeconds(20);

    private final EngineFactory factory;
    private final HarrierConfig config;
    private final InstanceRows instances;
    private final Vertx vertx;
    private volatile Engine engine;
    private volatile Runnable unregister;

    public EngineLifecycle(EngineFactory factory, HarrierConfig config, InstanceRows instances, Vertx vertx) {
        this.factory = factory;
        this.config = config;
        this.instances = instances;
        this.vertx = vertx;
    }

    /** The running engine; empty when this instance runs no jobs ({@code harrier.worker.enabled=false}). */
    public Optional<Engine> engine() {
        return Optional.ofNullable(engine);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.worker().enabled()) {
            LOG.info("The worker is disabled (harrier.worker.enabled=false): this instance runs no jobs");
            unregister = instances.keepRegistered(EngineSettings.from(config).instanceId(), config.worker().heartbeatInterval(), vertx);
            return;
        }
        Engine started = factory.create(EngineSettings.from(config));
        engine = started;
        started.start().subscribe().with(
                ok -> { },
                failure -> LOG.errorf(failure, "The worker could not start"));
    }

    void onStop(@Observes ShutdownEvent event) {
        Engine current = engine;
        if (current == null) {
            if (unregister != null) {
                unregister.run();
            }
            return;
        }
        // Runs on the shutdown thread, never on an event loop: waiting here is what makes the drain graceful.
        current.stop()
                .await().atMost(config.worker().shutdownGrace().plus(STOP_MARGIN));
    }
}
