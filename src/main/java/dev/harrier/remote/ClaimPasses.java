package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.LeaseTokens;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.queue.QueueSettings;
import dev.harrier.queue.QueueStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One claim of a remote worker against the database: a pass over the queues it takes from (those
 * of its workspace, by name, paused ones skipped), each claimed under the engine's rules
 * ({@link JobClaimer}: order, a queue's concurrency, the lease) for the kinds it named, until it
 * has its jobs. Each claim draws a secret from which every job's lease token is derived.
 */
@ApplicationScoped
public class ClaimPasses {

    private final JobClaimer claimer;
    private final QueueStore queues;
    private final OutcomeWriter writer;
    private final RemoteMetrics metrics;
    private final Clock clock;
    private final Duration lease;
    private final Duration defaultTimeout;
    private final Counter passes;

    public ClaimPasses(JobClaimer claimer, QueueStore queues, OutcomeWriter writer, RemoteMetrics metrics, Clock clock,
                       HarrierConfig config, MeterRegistry meters) {
        this.claimer = claimer;
        this.queues = queues;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.lease = config.worker().leaseDuration();
        this.defaultTimeout = config.worker().defaultTimeout();
        this.passes = Counter.builder("harrier.workers.claim.passes")
                .description("Claim passes over a workspace's queues for remote workers (one per claim call or wake-up)")
                .register(meters);
    }

    /** The jobs claimed, at most the request's {@code max}; none when nothing is claimable now. */
    Uni<List<RemoteClaim>> pass(ClaimRequest request) {
        passes.increment();
        return queues.list(request.workspace()).flatMap(all -> {
            List<QueueSettings> open = all.stream()
                    .filter(q -> !q.paused() && (request.queues() == null || request.queues().contains(q.name())))
                    .toList();
            return claimFrom(request, open, 0, new ArrayList<>());
        });
    }

    private Uni<List<RemoteClaim>> claimFrom(ClaimRequest request, List<QueueSettings> open, int index,
                                             List<RemoteClaim> claimed) {
        int room = request.max() - claimed.size();
        if (room == 0 || index == open.size()) {
            return Uni.createFrom().item(claimed);
        }
        QueueSettings queue = open.get(index);
        byte[] secret = LeaseTokens.secret();
        return claimer.claimRemote(request.workspace(), queue.name(), room, queue.concurrency(), owner(request), lease,
                        request.kinds().toArray(String[]::new), secret)
                .flatMap(claim -> {
                    for (Job job : claim.jobs()) {
                        metrics.started(job);
                        Instant started = job.startedAt() == null ? clock.instant() : job.startedAt();
                        Duration timeout = job.timeoutSeconds() == null ? defaultTimeout : Duration.ofSeconds(job.timeoutSeconds());
                        claimed.add(new RemoteClaim(job, LeaseTokens.token(secret, job.id()), started.plus(lease),
                                started.plus(timeout)));
                    }
                    return claimFrom(request, open, index + 1, claimed);
                });
    }

    /** Jobs claimed for a worker that went away before it got them: back to pending, their attempt not counted. */
    Uni<Void> handBack(ClaimRequest request, List<RemoteClaim> jobs) {
        Instant now = clock.instant();
        return writer.write(jobs.stream().map(c -> new Outcome(c.job().id(), c.job().attempt(), JobStatus.PENDING, null, now,
                null, null)).toList(), owner(request)).replaceWithVoid();
    }

    /** The lease owner of a remote worker's jobs, told apart from the instances' ids. */
    static String owner(ClaimRequest request) {
        return "worker:" + request.worker();
    }
}
