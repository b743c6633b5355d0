package dev.harrier.ops;

import dev.harrier.worker.Engine;
import dev.harrier.worker.EngineLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when this instance's worker (if it runs one) listens for notifications. */
@Readiness
@ApplicationScoped
public class WorkerReadinessCheck implements HealthCheck {

    private final EngineLifecycle lifecycle;

    public WorkerReadinessCheck(EngineLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Engine> engine = lifecycle.engine();
        if (engine.isEmpty()) {
            return HealthCheckResponse.named("worker").up().withData("enabled", false).build();
        }
        return HealthCheckResponse.named("worker")
                .status(engine.get().listening())
                .withData("instance", engine.get().instanceId())
                .withData("listening", engine.get().listening())
                .build();
    }
}
