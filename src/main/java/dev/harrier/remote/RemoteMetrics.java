package dev.harrier.remote;

import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The engine's meters for the attempts of remote workers, under the same names and tags
 * ({@code harrier.jobs.finished} by kind and outcome, {@code harrier.job.wait} by kind), so that a
 * dashboard counts a job the same whoever ran it.
 */
@ApplicationScoped
public class RemoteMetrics {

    private final MeterRegistry registry;

    public RemoteMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void started(Job job) {
        if (job.runAt() != null && job.startedAt() != null) {
            Duration wait = Duration.between(job.runAt(), job.startedAt());
            Timer.builder("harrier.job.wait").description("Time from a job's run time to the start of its attempt")
                    .tag("kind", job.kind()).publishPercentileHistogram().register(registry)
                    .record(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    void finished(String kind, JobStatus outcome) {
        Counter.builder("harrier.jobs.finished").description("Attempts finished, by kind and outcome")
                .tag("kind", kind).tag("outcome", outcome.wire()).register(registry).increment();
    }
}
