package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.limit.SharedLimits;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.KindStore;
import dev.harrier.queue.LeaseTokens;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.queue.QueueSettings;
import dev.harrier.queue.QueueStore;
import dev.harrier.queue.RemoteKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;

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
    private final KindStore kinds;
    private final SharedLimits sharedLimits;
    private volatile BiConsumer<String, Duration> rateLimited = (workspace, wait) -> { };

    public ClaimPasses(JobClaimer claimer, QueueStore queues, OutcomeWriter writer, RemoteMetrics metrics, Clock clock,
                       HarrierConfig config, MeterRegistry meters, KindStore kinds, SharedLimits sharedLimits) {
        this.claimer = claimer;
        this.sharedLimits = sharedLimits;
        this.kinds = kinds;
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
            return kinds.named(request.workspace(), request.kinds())
                    .flatMap(declared -> claimGroups(request, open, groups(request, declared), 0, new ArrayList<>()));
        });
    }

    /** Tells {@code listener} when a shared limit's rate held a claim back, and for how long. */
    void onRateLimited(BiConsumer<String, Duration> listener) {
        this.rateLimited = listener;
    }

    /**
     * The kinds of a claim grouped by the shared limits their jobs count against (the kind's, the
     * claim's): each group is claimed under its own limits, kinds without any as before.
     */
    private static List<Map.Entry<String[], String[]>> groups(ClaimRequest request, Map<String, RemoteKind> declared) {
        Map<List<String>, List<String>> byLimits = new LinkedHashMap<>();
        for (String kind : request.kinds()) {
            TreeSet<String> limits = new TreeSet<>();
            RemoteKind remote = declared.get(kind);
            if (remote != null && remote.limit() != null) {
                limits.add(remote.limit());
            }
            if (request.limit() != null) {
                limits.add(request.limit());
            }
            byLimits.computeIfAbsent(List.copyOf(limits), k -> new ArrayList<>()).add(kind);
        }
        return byLimits.entrySet().stream()
                .map(e -> Map.entry(e.getValue().toArray(String[]::new), e.getKey().toArray(String[]::new)))
                .toList();
    }

    private Uni<List<RemoteClaim>> claimGroups(ClaimRequest request, List<QueueSettings> open, List<Map.Entry<String[], String[]>> groups,
                                               int index, List<RemoteClaim> claimed) {
        if (index == groups.size() || claimed.size() == request.max()) {
            return Uni.createFrom().item(claimed);
        }
        Map.Entry<String[], String[]> group = groups.get(index);
        return claimFrom(request, group.getKey(), group.getValue(), open, 0, claimed)
                .flatMap(more -> claimGroups(request, open, groups, index + 1, more));
    }

    private Uni<List<RemoteClaim>> claimFrom(ClaimRequest request, String[] kinds, String[] limits, List<QueueSettings> open,
                                             int index, List<RemoteClaim> claimed) {
        int room = request.max() - claimed.size();
        if (room == 0 || index == open.size()) {
            return Uni.createFrom().item(claimed);
        }
        QueueSettings queue = open.get(index);
        byte[] secret = LeaseTokens.secret();
        return claimer.claimRemote(request.workspace(), queue.name(), room, queue.concurrency(), owner(request), lease,
                        kinds, secret, limits)
                .flatMap(claim -> {
                    if (claim.limitedFor() != null) {
                        rateLimited.accept(request.workspace(), claim.limitedFor());
                    }
                    for (String limit : limits) {
                        sharedLimits.claimed(request.workspace(), limit, claim.jobs().size());
                    }
                    for (Job job : claim.jobs()) {
                        metrics.started(job);
                        Instant started = job.startedAt() == null ? clock.instant() : job.startedAt();
                        Duration timeout = job.timeoutSeconds() == null ? defaultTimeout : Duration.ofSeconds(job.timeoutSeconds());
                        claimed.add(new RemoteClaim(job, LeaseTokens.token(secret, job.id()), started.plus(lease),
                                started.plus(timeout)));
                    }
                    return claimFrom(request, kinds, limits, open, index + 1, claimed);
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
