package dev.harrier.worker;

import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's own meters: jobs finished per kind and outcome, wait time (run time reached to
 * start) and run time (start to outcome) per kind, and outcomes refused for a lost lease. Meters
 * are looked up once per kind, not once per job: the registry's lookup is not free at 10,000 jobs
 * a second.
 */
final class EngineMetrics {

    private final MeterRegistry registry;
    private final Map<String, KindMeters> byKind = new ConcurrentHashMap<>();

    EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void started(ClaimedJob job) {
        if (job.runAt() != null && job.startedAt() != null) {
            Duration wait = Duration.between(job.runAt(), job.startedAt());
            meters(job.kind()).waitTime.record(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    void finished(ClaimedJob job, JobStatus outcome, boolean written, Duration runTime) {
        KindMeters meters = meters(job.kind());
        if (!written) {
            meters.refused.increment();
            return;
        }
        meters.finished.computeIfAbsent(outcome, status -> Counter.builder("harrier.jobs.finished")
                        .description("Attempts finished, by kind and outcome")
                        .tag("kind", job.kind())
                        .tag("outcome", status.wire())
                        .register(registry))
                .increment();
        meters.run.record(runTime);
    }

    private KindMeters meters(String kind) {
        return byKind.computeIfAbsent(kind, this::register);
    }

    private KindMeters register(String kind) {
        return new KindMeters(
                timer("harrier.job.wait", "Time from a job's run time to the start of its attempt", kind),
                timer("harrier.job.run", "Time from the start of an attempt to its outcome", kind),
                Counter.builder("harrier.jobs.outcomes.refused")
                        .description("Outcomes not written because the lease had been lost")
                        .tag("kind", kind)
                        .register(registry));
    }

    private Timer timer(String name, String description, String kind) {
        return Timer.builder(name)
                .description(description)
                .tag("kind", kind)
                .publishPercentileHistogram()
                .register(registry);
    }

    private record KindMeters(Timer waitTime, Timer run, Counter refused, Map<JobStatus, Counter> finished) {
        KindMeters(Timer waitTime, Timer run, Counter refused) {
            this(waitTime, run, refused, Collections.synchronizedMap(new EnumMap<>(JobStatus.class)));
        }
    }
}
