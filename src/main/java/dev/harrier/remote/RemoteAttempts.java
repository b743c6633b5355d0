package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.events.EventAppender;
import dev.harrier.events.EventDraft;
import dev.harrier.handler.ErrorTypes;
import dev.harrier.handler.ItemResult;
import dev.harrier.queue.ItemWriter;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.KindStore;
import dev.harrier.queue.LeaseTokens;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.RemoteKind;
import dev.harrier.queue.RemoteLeases;
import dev.harrier.queue.RemoteLeases.Held;
import dev.harrier.queue.RemoteOutcomes;
import dev.harrier.time.Backoff;
import dev.harrier.time.RetryBackoff;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a remote worker does with a job it claimed: heartbeat, progress, logs, items, complete and
 * fail. Every call is checked against the lease its token holds (a lost one is {@link LeaseLost},
 * a 409, and changes nothing), and writes what a Java handler's context writes, through the same
 * event appender, throttle and outcome statement, so that a stream cannot tell who ran the job. A
 * {@code complete} or {@code fail} repeated after the attempt ended by that same call answers the
 * job again (a worker retrying a call whose reply it lost).
 */
@ApplicationScoped
public class RemoteAttempts {

    private static final int MAX_ERROR_MESSAGE = 2000;
    private static final int MAX_LOG_MESSAGE = 8192;
    private static final Set<JobStatus> AFTER_FAIL = EnumSet.of(JobStatus.RETRYING, JobStatus.SCHEDULED, JobStatus.PENDING,
            JobStatus.FAILED, JobStatus.CANCELLED);

    private final RemoteLeases leases;
    private final RemoteOutcomes outcomes;
    private final EventAppender appender;
    private final ItemWriter items;
    private final JobActions jobs;
    private final KindStore kinds;
    private final ProgressThrottles throttles;
    private final WorkerClaims claims;
    private final RemoteMetrics metrics;
    private final Clock clock;
    private final Duration lease;
    private final Duration defaultTimeout;
    private final Backoff defaultBackoff;

    public RemoteAttempts(RemoteLeases leases, RemoteOutcomes outcomes, EventAppender appender, ItemWriter items, JobActions jobs,
                          KindStore kinds, ProgressThrottles throttles, WorkerClaims claims, RemoteMetrics metrics, Clock clock,
                          HarrierConfig config) {
        this.metrics = metrics;
        this.leases = leases;
        this.outcomes = outcomes;
        this.appender = appender;
        this.items = items;
        this.jobs = jobs;
        this.kinds = kinds;
        this.throttles = throttles;
        this.claims = claims;
        this.clock = clock;
        this.lease = config.worker().leaseDuration();
        this.defaultTimeout = config.worker().defaultTimeout();
        this.defaultBackoff = new Backoff(config.retry().base(), config.retry().cap(), config.retry().factor());
    }

    /** A renewed lease: when it ends, and whether a client asked to cancel the job. */
    public record Heartbeat(Instant leaseExpiresAt, boolean cancelRequested) {
    }

    /** Renews the lease, never past the attempt's timeout; past it, the attempt fails as timed out (409). */
    public Uni<Heartbeat> heartbeat(String workspace, UUID id, String token) {
        byte[] hash = hash(token);
        return leases.renew(workspace, id, hash, lease, defaultTimeout).flatMap(renewed -> {
            if (renewed.isEmpty()) {
                return Uni.createFrom().failure(lost(id));
            }
            if (renewed.get().timedOut()) {
                return timedOut(workspace, id, hash);
            }
            return Uni.createFrom().item(new Heartbeat(renewed.get().leaseExpiresAt(), renewed.get().cancelRequested()));
        });
    }

    /** A progress report, throttled as a Java handler's; fields left null keep their last value. */
    public Uni<Void> progress(String workspace, UUID id, String token, String step, String details, Long done, Long total) {
        return held(workspace, id, token).invoke(held -> throttles.of(id).progress().report(step, details, done, total))
                .replaceWithVoid();
    }

    /** Log lines, in order; emits once they are stored. */
    public Uni<Void> logs(String workspace, UUID id, String token, List<LogLine> lines) {
        return held(workspace, id, token).flatMap(held -> {
            ProgressThrottles.Tracked tracked = throttles.of(id);
            List<Uni<Void>> writes = new ArrayList<>(lines.size());
            for (LogLine line : lines) {
                writes.add(tracked.writes().tracked(appender.append(logEvent(id, line.level(), line.message()))));
            }
            return all(writes);
        });
    }

    /** One log line a worker sends. */
    public record LogLine(String level, String message) {
    }

    /**
     * Item results, upserted by index (the last of one index in a call wins), each with its
     * {@code item} event; emits once they are stored, so that a worker's next call upserts after it.
     */
    public Uni<Void> items(String workspace, UUID id, String token, List<WorkerItem> reported) {
        Map<Integer, WorkerItem> byIndex = new LinkedHashMap<>();
        reported.forEach(item -> byIndex.put(item.index(), item));
        return held(workspace, id, token).flatMap(held -> {
            ProgressThrottles.Tracked tracked = throttles.of(id);
            List<Uni<Void>> writes = new ArrayList<>(byIndex.size());
            for (WorkerItem item : byIndex.values()) {
                boolean ok = "ok".equals(item.status());
                ItemResult result = new ItemResult(item.index(), input(item), ok, item.httpStatus(), 1, 0,
                        item.data() == null || item.data().isNull() ? null : item.data().toString(), item.error());
                String event = new JsonObject().put("index", item.index()).put("status", ok ? "ok" : "failed")
                        .put("httpStatus", item.httpStatus()).encode();
                writes.add(tracked.writes().tracked(items.save(id, result)
                        .call(saved -> appender.append(new EventDraft(id, "item", event)))));
            }
            return all(writes);
        });
    }

    private static Uni<Void> all(List<Uni<Void>> writes) {
        return writes.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(writes).andFailFast().replaceWithVoid();
    }

    /**
     * Completes the attempt with its result (JSON text); emits the job. The job's last reports are
     * written first (a stranger's call with a wrong token only writes them sooner); the outcome's
     * statement checks the token and the workspace.
     */
    public Uni<Job> complete(String workspace, UUID id, String token, String resultJson) {
        byte[] hash = hash(token);
        return throttles.flush(id).flatMap(flushed -> finish(workspace, new RemoteOutcomes.Finished(workspace, id, hash,
                JobStatus.COMPLETED, resultJson, null, null, null), Set.of(JobStatus.COMPLETED, JobStatus.WAITING)));
    }

    /**
     * Fails the attempt: retried after {@code retryAfterSeconds} or the kind's backoff while attempts
     * remain and it is retryable, else failed; cancelled when a client asked to cancel it.
     */
    public Uni<Job> fail(String workspace, UUID id, String token, WorkerFailure failure) {
        byte[] hash = hash(token);
        String message = truncate(failure.message() == null || failure.message().isBlank() ? "the worker failed the attempt"
                : failure.message(), MAX_ERROR_MESSAGE);
        String type = "worker:" + (failure.type() == null || failure.type().isBlank() ? "error" : failure.type());
        return leases.held(workspace, id, hash, defaultTimeout).flatMap(held -> {
            if (held.isEmpty()) {
                return repeated(workspace, id, hash, AFTER_FAIL);
            }
            Held attempt = held.get();
            if (attempt.cancelRequested()) {
                return throttles.flush(id).flatMap(x -> finish(workspace,
                        new RemoteOutcomes.Finished(workspace, id, hash, JobStatus.CANCELLED, null, null, null, null), AFTER_FAIL));
            }
            return failedAttempt(workspace, attempt, failure.retryable(), failure.retryAfterSeconds(), message, type)
                    .flatMap(outcome -> throttles.flush(id).flatMap(x -> finish(workspace, finished(workspace, outcome, hash),
                            AFTER_FAIL)));
        });
    }

    /**
     * A failed attempt's outcome, as the engine decides it: retrying after {@code retryAfterSeconds}
     * or the kind's backoff while attempts remain and it may be retried, else failed; its log line
     * written.
     */
    private Uni<Outcome> failedAttempt(String workspace, Held attempt, boolean retryable, Integer retryAfterSeconds,
                                       String message, String type) {
        boolean retry = retryable && attempt.attempt() < attempt.maxAttempts();
        Uni<Duration> wait = !retry ? Uni.createFrom().nullItem()
                : retryAfterSeconds != null ? Uni.createFrom().item(Duration.ofSeconds(retryAfterSeconds))
                : kinds.get(workspace, attempt.kind()).map(kind -> backoff(attempt.backoff(), kind, attempt.attempt()));
        return wait.map(delay -> {
            Outcome outcome = retry
                    ? new Outcome(attempt.id(), attempt.attempt(), JobStatus.RETRYING, null, clock.instant().plus(delay), message, type)
                    : new Outcome(attempt.id(), attempt.attempt(), JobStatus.FAILED, null, null, message, type);
            logFailed(outcome);
            return outcome;
        });
    }

    /** What follows an outcome written: the job's writes forgotten, counted, room freed for a waiting claim. */
    private void ended(Job job) {
        throttles.forget(job.id());
        metrics.finished(job.kind(), job.status());
        claims.roomFreed(job.workspace(), job.queue());
    }

    /** Writes the outcome if the token still holds the attempt; else a repeat of the call that ended it, or a 409. */
    private Uni<Job> finish(String workspace, RemoteOutcomes.Finished outcome, Set<JobStatus> repeats) {
        return outcomes.write(outcome).flatMap(written -> {
            if (written.isEmpty()) {
                return repeated(workspace, outcome.jobId(), outcome.tokenHash(), repeats);
            }
            ended(written.get());
            return Uni.createFrom().item(written.get());
        });
    }

    private static RemoteOutcomes.Finished finished(String workspace, Outcome outcome, byte[] hash) {
        return new RemoteOutcomes.Finished(workspace, outcome.jobId(), hash, outcome.status(), outcome.resultJson(), outcome.runAt(),
                outcome.errorMessage(), outcome.errorType());
    }

    /** A repeat of the call that ended the token's attempt gets the job; anything else is a lost lease. */
    private Uni<Job> repeated(String workspace, UUID id, byte[] hash, Set<JobStatus> repeats) {
        return leases.endedWith(workspace, id, hash).flatMap(ended -> ended.isPresent() && repeats.contains(ended.get().status())
                ? read(workspace, id)
                : Uni.createFrom().failure(lost(id)));
    }

    /** The attempt ran past its timeout: it fails as a Java handler's would, and its token is forgotten. */
    private Uni<Heartbeat> timedOut(String workspace, UUID id, byte[] hash) {
        return leases.held(workspace, id, hash, defaultTimeout).flatMap(held -> {
            if (held.isEmpty()) {
                return Uni.createFrom().failure(lost(id));
            }
            Held attempt = held.get();
            return failedAttempt(workspace, attempt, true, null, "timed out at " + attempt.timeoutAt(), ErrorTypes.TIMEOUT)
                    .flatMap(outcome -> throttles.flush(id).flatMap(x -> outcomes.write(finished(workspace, outcome, hash))))
                    // Only when this call ended the attempt: a complete that won the race keeps its token.
                    .call(written -> written.isPresent() ? leases.forget(id, hash) : Uni.createFrom().voidItem())
                    .invoke(written -> written.ifPresent(this::ended))
                    .flatMap(written -> Uni.createFrom().failure(new LeaseLost("Job " + id
                            + " ran past its timeout; the attempt failed: stop working on it")));
        });
    }

    private Uni<Held> held(String workspace, UUID id, String token) {
        return leases.held(workspace, id, hash(token), defaultTimeout)
                .flatMap(held -> held.isPresent() ? Uni.createFrom().item(held.get()) : Uni.createFrom().failure(lost(id)));
    }

    /** The job's own backoff, else its kind's, else the instance's. */
    private Duration backoff(RetryBackoff own, Optional<RemoteKind> kind, int attempt) {
        RetryBackoff chosen = own != null ? own : kind.map(RemoteKind::backoff).orElse(null);
        return chosen == null ? defaultBackoff.delayAfter(attempt)
                : chosen.delayAfter(attempt, defaultBackoff, ThreadLocalRandom.current()::nextDouble);
    }

    /** Every failed attempt's line in the job's log, as the engine writes it. */
    private void logFailed(Outcome outcome) {
        String next = outcome.status() == JobStatus.RETRYING ? "; retrying at " + outcome.runAt() : "; no retry";
        throttles.of(outcome.jobId()).writes().track(appender.append(logEvent(outcome.jobId(), "error",
                "attempt " + outcome.attempt() + " failed: " + outcome.errorMessage() + next)));
    }

    private Uni<Job> read(String workspace, UUID id) {
        return jobs.get(workspace, id).map(job -> job.orElseThrow(() -> lost(id)));
    }

    private static EventDraft logEvent(UUID id, String level, String message) {
        String text = truncate(message == null ? "" : message, MAX_LOG_MESSAGE);
        return new EventDraft(id, "log", new JsonObject().put("level", level).put("message", text).encode());
    }

    private static String input(WorkerItem item) {
        if (item.input() == null || item.input().isNull()) {
            return ""; // an upsert keeps the input stored first
        }
        return item.input().isTextual() ? item.input().asText() : item.input().toString();
    }

    private static String truncate(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }

    private static byte[] hash(String token) {
        return LeaseTokens.hash(token).orElseThrow(() -> new LeaseLost("Harrier-Lease is not a lease token of this API"));
    }

    private static LeaseLost lost(UUID id) {
        return new LeaseLost("This lease token does not hold job " + id + " (the lease expired and the job was rescued,"
                + " the job was cancelled, or the attempt is over): stop working on it");
    }
}
