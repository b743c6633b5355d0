package dev.harrier.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.harrier.document.JobDocument;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The request and reply bodies of remote kinds and remote workers (part 2 of ../shared/API.md). */
public final class WorkerBodies {

    private WorkerBodies() {
    }

    /** A kind's own backoff between attempts: {@code min(maxSeconds, baseSeconds * factor^(n-1))}, a share {@code jitter} of it random. */
    public record Backoff(Integer baseSeconds, Double factor, Integer maxSeconds, Double jitter) {
    }

    /** {@code PUT /api/v1/kinds/{kind}}: every field optional. */
    public record KindPut(@Schema(description = "A JSON Schema (draft 2020-12) of the jobs' args", nullable = true)
                          JsonNode argsSchema, Integer timeoutSeconds, Integer maxAttempts, Backoff backoff,
                          @Schema(description = "A shared limit (PUT /api/v1/limits/{name}) each claimed job of the kind counts against",
                                  nullable = true) String limit) {
    }

    /**
     * A kind the workspace can enqueue. {@code runBy}: {@code harrier} (built in or a Java handler
     * of this service) or {@code remote} (declared with PUT, run by remote workers).
     */
    public record Kind(String kind, String runBy, @Schema(nullable = true) JsonNode argsSchema,
                       @Schema(nullable = true) Integer timeoutSeconds, @Schema(nullable = true) Integer maxAttempts,
                       @Schema(nullable = true) Backoff backoff, @Schema(nullable = true) String limit,
                       @Schema(nullable = true) Instant createdAt,
                       @Schema(nullable = true) Instant updatedAt) {
    }

    public record Kinds(List<Kind> kinds) {
    }

    /** {@code POST /api/v1/workers/claim}: {@code kinds} required. */
    public record Claim(String worker, List<String> kinds, List<String> queues, Integer max, Integer waitSeconds,
                        @Schema(description = "A shared limit every job of this claim counts against (besides its kind's)", nullable = true)
                        String limit) {
    }

    /** A claimed job: the job document with its lease token (shown only here) and deadlines. */
    public record ClaimedJob(@JsonUnwrapped JobDocument job, String leaseToken, Instant leaseExpiresAt, Instant timeoutAt) {
    }

    public record ClaimedJobs(List<ClaimedJob> jobs) {
    }

    /** Reply of a heartbeat. */
    public record Heartbeat(Instant leaseExpiresAt, boolean cancelRequested) {
    }

    /** {@code POST /api/v1/jobs/{id}/progress}: a field left out keeps its last value. */
    public record Progress(String step, String details, Long done, Long total) {
    }

    public record LogLine(String level, String message) {
    }

    /** {@code POST /api/v1/jobs/{id}/logs}. */
    public record Logs(List<LogLine> logs) {
    }

    /** One item's result; {@code input} and {@code data} any JSON. */
    public record Item(Integer index, @Schema(nullable = true) JsonNode input, String status,
                       @Schema(nullable = true) Integer httpStatus, @Schema(nullable = true) JsonNode data,
                       @Schema(nullable = true) String error) {
    }

    /** {@code POST /api/v1/jobs/{id}/items}: upserted by index. */
    public record Items(List<Item> items) {
    }

    /** A child to enqueue: an enqueue body without {@code parentId}, and a key unique under the parent. */
    public record Child(String kind, String queue, JsonNode args, Integer priority,
                        @JsonDeserialize(using = InstantField.class) Instant runAt, Integer maxAttempts,
                        Integer timeoutSeconds, String uniqueKey, List<String> tags,
                        @Schema(description = "Unique under the parent: a repeat returns the child made first", nullable = true)
                        String childKey,
                        @Schema(enumeration = {"ignore", "fail"}, nullable = true) String childFailure,
                        @Schema(implementation = Bodies.Enqueue.class, nullable = true) JsonNode then,
                        @Schema(implementation = Bodies.Callback.class, nullable = true) JsonNode callback,
                        @Schema(implementation = Backoff.class, nullable = true) JsonNode backoff) {
    }

    /** {@code POST /api/v1/jobs/{id}/children}. */
    public record Children(List<Child> jobs) {
    }

    /** {@code POST /api/v1/jobs/{id}/complete}. */
    public record Complete(@Schema(description = "Any JSON", nullable = true) JsonNode result) {
    }

    /** {@code POST /api/v1/jobs/{id}/fail}: {@code type} is stored as {@code worker:<type>}. */
    public record Fail(String message, String type, Boolean retryable, @Schema(nullable = true) Integer retryAfterSeconds) {
    }
}
