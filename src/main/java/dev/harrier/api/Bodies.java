package dev.harrier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.harrier.document.JobDocument;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The request and reply bodies of the job and queue endpoints (see ../shared/API.md). */
public final class Bodies {

    private Bodies() {
    }

    /** {@code POST /api/v1/jobs}: only {@code kind} is required. */
    public record Enqueue(String kind, String queue, JsonNode args, Integer priority,
                          @JsonDeserialize(using = InstantField.class) Instant runAt,
                          Integer maxAttempts, Integer timeoutSeconds, String uniqueKey, List<String> tags,
                          String parentId,
                          @Schema(enumeration = {"ignore", "fail"}, description = "Whether a failed child fails this job (default ignore)")
                          String childFailure,
                          @Schema(implementation = Enqueue.class, description = "Enqueued once when this job completes; its strings may hold {{result.PATH}} and {{job.id}}")
                          JsonNode then,
                          @Schema(implementation = Callback.class, description = "POSTs the job document to the app when the job ends")
                          JsonNode callback,
                          @Schema(implementation = WorkerBodies.Backoff.class,
                                  description = "This job's retry schedule; without it, its kind's, else the instance's")
                          JsonNode backoff) {
    }

    /** Where and when a job's end is POSTed: {@code on} defaults to every terminal status. */
    public record Callback(String url, Map<String, String> headers,
                           @Schema(description = "Of completed, failed, cancelled; default all three") List<String> on) {
    }

    /** {@code POST /api/v1/jobs/batch}. */
    public record Batch(List<Enqueue> jobs) {
    }

    /** Reply of the batch and of the list. */
    public record Jobs(List<JobDocument> jobs, @JsonInclude(
            JsonInclude.Include.NON_NULL) String nextCursor) {
    }

    /** {@code POST /api/v1/jobs/{id}/tokens}. */
    public record TokenRequest(Integer ttlSeconds) {
    }

    public record Token(String token, Instant expiresAt) {
    }

    /** One log line. */
    public record LogLine(long seq, Instant at, String level, String message) {
    }

    public record Logs(List<LogLine> logs, @JsonInclude(
            JsonInclude.Include.NON_NULL) String nextCursor) {
    }

    /**
     * One fan-out item. {@code input} is what the item was made from: a string (a scrape's URL), or
     * JSON when it was stored as the text of a JSON object or array (an enrich record).
     */
    public record Item(int index, JsonNode input, String status, @Schema(nullable = true) Integer httpStatus, int attempts,
                       @Schema(nullable = true) Integer durationMs, @Schema(nullable = true) JsonNode data,
                       @Schema(nullable = true) String error) {
    }

    public record Items(List<Item> items, @JsonInclude(
            JsonInclude.Include.NON_NULL) String nextCursor) {
    }

    /**
     * {@code PATCH /api/v1/queues/{name}}: either field may be left out; {@code concurrency} null
     * removes the limit. (Read as a tree by the resource, which tells a field left out from a null.)
     */
    public record QueuePatch(Boolean paused, @Schema(nullable = true) Integer concurrency) {
    }

    /** A queue with its settings and job counts. */
    public record Queue(String name, boolean paused, @Schema(nullable = true) Integer concurrency, Map<String, Long> counts,
                        long oldestPendingAgeSeconds) {
    }

    public record Queues(List<Queue> queues) {
    }

    /**
     * {@code PUT /api/v1/schedules/{name}}: {@code cron} is one expression or a list of them;
     * {@code job} an enqueue body without {@code runAt} and {@code parentId}.
     */
    public record SchedulePut(@Schema(oneOf = {String.class, String[].class}) JsonNode cron, String timeZone, Enqueue job,
                              String overlap, String catchUp, Boolean paused, String description) {
    }

    /** {@code PATCH /api/v1/schedules/{name}}. */
    public record SchedulePatch(Boolean paused) {
    }

    /** The latest run of a schedule. */
    public record LastRun(String jobId, Instant scheduledFor, String status) {
    }

    /** A schedule. {@code nextRuns}: its next five fire times. */
    public record Schedule(String name, List<String> cron, String timeZone, JsonNode job, String overlap, String catchUp,
                           boolean paused, @Schema(nullable = true) String description, String source,
                           List<Instant> nextRuns, @Schema(nullable = true) LastRun lastRun, Instant createdAt,
                           Instant updatedAt) {
    }

    public record Schedules(List<Schedule> schedules) {
    }
}
