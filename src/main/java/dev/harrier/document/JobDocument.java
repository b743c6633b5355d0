package dev.harrier.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.queue.Job;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A job as the API shows it ({@code GET /api/v1/jobs/{id}}, list pages, enqueue replies and
 * {@code status} events). {@code duplicate} appears on enqueue replies only.
 */
@JsonPropertyOrder({"id", "kind", "queue", "status", "priority", "attempt", "maxAttempts", "args", "progress",
        "result", "error", "uniqueKey", "tags", "parentId", "schedule", "scheduledFor", "triggered", "createdAt", "updatedAt", "runAt", "startedAt",
        "finishedAt", "timeoutSeconds", "children", "childFailure", "then", "callback", "backoff", "duplicate", "unreadable"})
public record JobDocument(
        String id,
        String kind,
        String queue,
        String status,
        int priority,
        int attempt,
        int maxAttempts,
        JsonNode args,
        @Schema(nullable = true) Progress progress,
        @Schema(nullable = true) JsonNode result,
        @Schema(nullable = true) Error error,
        @Schema(nullable = true) String uniqueKey,
        List<String> tags,
        @Schema(nullable = true) String parentId,
        @Schema(nullable = true, description = "The schedule that created the job") String schedule,
        @Schema(nullable = true, description = "The fire time it was created for (a trigger's moment when triggered)")
        Instant scheduledFor,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(description = "Present, true, on a run triggered through POST /schedules/{name}/trigger") Boolean triggered,
        Instant createdAt,
        Instant updatedAt,
        @Schema(nullable = true, description = "When it may run; null for a child an each holds back") Instant runAt,
        @Schema(nullable = true) Instant startedAt,
        @Schema(nullable = true) Instant finishedAt,
        @Schema(nullable = true) Integer timeoutSeconds,
        @Schema(nullable = true, description = "Its direct children by status (pending: every status not terminal but running); null when it has none")
        Children children,
        @Schema(description = "ignore (the default) or fail: whether a failed child fails the job once every child ended")
        String childFailure,
        @Schema(nullable = true, description = "The job enqueued when this one completes, as enqueued (placeholders not filled)")
        JsonNode then,
        @Schema(nullable = true, description = "Where the job document is POSTed when the job ends, as enqueued")
        JsonNode callback,
        @Schema(nullable = true, implementation = Object.class,
                description = "Its own retry schedule ({baseSeconds, factor, maxSeconds, jitter}), as enqueued; null for its kind's")
        JsonNode backoff,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean duplicate,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> unreadable) {

    /** A job's direct children by status. */
    public record Children(int total, int pending, int running, int completed, int failed, int cancelled) {
    }

    /** The latest progress report. */
    public record Progress(@Schema(nullable = true) String step, @Schema(nullable = true) String details,
                           @Schema(nullable = true) Long done, @Schema(nullable = true) Long total) {
    }

    /** The latest failed attempt. */
    public record Error(String message, String type, Integer attempt, Instant at) {
    }

    public static JobDocument of(Job job) {
        return of(job, null);
    }

    public static JobDocument of(Job job, Boolean duplicate) {
        Job.Progress p = job.progress();
        Progress progress = p.step() == null && p.details() == null && p.done() == null && p.total() == null
                ? null : new Progress(p.step(), p.details(), p.done(), p.total());
        Job.JobError e = job.error();
        StoredJson args = StoredJson.read(job.argsJson());
        StoredJson result = StoredJson.read(job.resultJson());
        Map<String, String> unreadable = null;
        if (args.problem() != null || result.problem() != null) {
            unreadable = new LinkedHashMap<>();
            if (args.problem() != null) {
                unreadable.put("args", args.problem());
            }
            if (result.problem() != null) {
                unreadable.put("result", result.problem());
            }
        }
        return new JobDocument(job.id().toString(), job.kind(), job.queue(), job.status().wire(), job.priority(),
                job.attempt(), job.maxAttempts(), args.value(), progress, result.value(),
                e == null ? null : new Error(e.message(), e.type(), e.attempt(), e.at()),
                job.uniqueKey(), job.tags(), job.parentId() == null ? null : job.parentId().toString(),
                job.schedule(), job.scheduledFor(), job.triggered() ? Boolean.TRUE : null, job.createdAt(), job.updatedAt(), job.runAt(), job.startedAt(), job.finishedAt(),
                job.timeoutSeconds(), children(job.pipeline().children()), job.pipeline().childFailure(),
                raw(job.pipeline().thenJson()), raw(job.pipeline().callbackJson()), raw(job.pipeline().backoffJson()),
                duplicate, unreadable);
    }

    private static Children children(Job.Children c) {
        return c == null ? null : new Children(c.total(), c.pending(), c.running(), c.completed(), c.failed(), c.cancelled());
    }

    /** Stored JSON text as a tree, so that it is written as JSON, not as a string; null if unreadable. */
    public static JsonNode raw(String json) {
        return StoredJson.read(json).value();
    }

    /** The same document with other args (a remote worker's claim, its secrets filled in). */
    public JobDocument withArgs(JsonNode otherArgs) {
        return new JobDocument(id, kind, queue, status, priority, attempt, maxAttempts, otherArgs, progress,
                result, error, uniqueKey, tags, parentId, schedule, scheduledFor, triggered, createdAt, updatedAt, runAt, startedAt, finishedAt,
                timeoutSeconds, children, childFailure, then, callback, backoff, duplicate, unreadable);
    }

    /** The same document as it was at a past status change (for replayed {@code status} events). */
    public JobDocument asOf(String pastStatus, int pastAttempt) {
        return new JobDocument(id, kind, queue, pastStatus, priority, pastAttempt, maxAttempts, args, progress,
                result, error, uniqueKey, tags, parentId, schedule, scheduledFor, triggered, createdAt, updatedAt, runAt, startedAt, finishedAt,
                timeoutSeconds, children, childFailure, then, callback, backoff, duplicate, unreadable);
    }
}
