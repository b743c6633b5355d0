package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.JobDocument;
import dev.harrier.document.Problem;
import dev.harrier.queue.JobRequest;
import dev.harrier.remote.RemoteAttempts;
import dev.harrier.remote.RemoteChildren;
import dev.harrier.remote.WorkerFailure;
import dev.harrier.remote.WorkerItem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What a remote worker reports on a job it claimed, each call with the claim's lease token in
 * {@code Harrier-Lease}: heartbeat, progress, logs, items, children, complete and fail. A token that no
 * longer holds the job's attempt is a 409, and the worker must stop that job.
 */
@Path("/api/v1/jobs/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "Workers in any language: remote kinds, claims with the long poll, and the lease-checked reports of a claimed job")
public class LeaseResource {

    static final String LEASE_HEADER = "Harrier-Lease";
    private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");
    private static final Set<String> ITEM_STATUSES = Set.of("ok", "failed");
    private static final int MAX_TEXT = 8192;

    private final RemoteAttempts attempts;
    private final RemoteChildren children;
    private final LeaseSecrets leaseSecrets;
    private final RequestJson json;
    private final int maxEntries;
    private final int maxBytes;

    public LeaseResource(RemoteAttempts attempts, RemoteChildren children, LeaseSecrets leaseSecrets, RequestJson json,
                         HarrierConfig config) {
        this.attempts = attempts;
        this.children = children;
        this.leaseSecrets = leaseSecrets;
        this.json = json;
        this.maxEntries = config.limits().reportEntries();
        this.maxBytes = config.limits().reportBytes();
    }

    @POST
    @Path("/heartbeat")
    @Operation(operationId = "heartbeat", summary = "Renew the lease; the reply says whether to stop (cancel asked)")
    @APIResponse(responseCode = "200", description = "The renewed lease",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.Heartbeat.class)))
    public Uni<WorkerBodies.Heartbeat> heartbeat(@Context ContainerRequestContext request, @PathParam("id") String id,
                                                 @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                                                 @HeaderParam(LEASE_HEADER) String lease) {
        Caller caller = Requests.withKey(request);
        return attempts.heartbeat(caller.workspace(), Requests.jobId(id), token(lease))
                .map(beat -> new WorkerBodies.Heartbeat(beat.leaseExpiresAt(), beat.cancelRequested()));
    }

    @POST
    @Path("/progress")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Progress.class)))
    @APIResponse(responseCode = "204", description = "Reported (written at most once per throttle interval)")
    @Operation(operationId = "reportProgress", summary = "Report progress, throttled and streamed like a Java handler's")
    public Uni<Response> progress(@Context ContainerRequestContext request, @PathParam("id") String id,
                                  @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                                  @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID job = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, job, body, clean -> {
            WorkerBodies.Progress progress = read(clean, WorkerBodies.Progress.class);
            text("step", progress.step(), 255);
            text("details", progress.details(), MAX_TEXT);
            if (progress.done() != null && progress.done() < 0) {
                throw Requests.invalid("done", "must not be negative");
            }
            if (progress.total() != null && progress.total() < 0) {
                throw Requests.invalid("total", "must not be negative");
            }
            return attempts.progress(caller.workspace(), job, token, progress.step(), progress.details(), progress.done(),
                    progress.total()).map(x -> Response.noContent().build());
        });
    }

    @POST
    @Path("/logs")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Logs.class)))
    @APIResponse(responseCode = "204", description = "Appended")
    @Operation(operationId = "appendLogs", summary = "Append log lines to the job's log")
    public Uni<Response> logs(@Context ContainerRequestContext request, @PathParam("id") String id,
                              @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                              @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID job = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, job, body, clean -> {
            WorkerBodies.Logs logs = read(clean, WorkerBodies.Logs.class);
            entries("logs", logs.logs());
            List<RemoteAttempts.LogLine> lines = new ArrayList<>();
            for (int i = 0; i < logs.logs().size(); i++) {
                WorkerBodies.LogLine line = logs.logs().get(i);
                if (line == null) {
                    throw Requests.invalid("logs[" + i + "]", "must be a log line object");
                }
                String level = line.level() == null ? "info" : line.level();
                if (!LEVELS.contains(level)) {
                    throw Requests.invalid("logs[" + i + "].level", "must be debug, info, warn or error");
                }
                if (line.message() == null) {
                    throw Requests.invalid("logs[" + i + "].message", "is required");
                }
                text("logs[" + i + "].message", line.message(), Integer.MAX_VALUE);
                lines.add(new RemoteAttempts.LogLine(level, line.message()));
            }
            return attempts.logs(caller.workspace(), job, token, lines).map(x -> Response.noContent().build());
        });
    }

    @POST
    @Path("/items")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Items.class)))
    @APIResponse(responseCode = "204", description = "Stored (upserted by index)")
    @Operation(operationId = "reportItems", summary = "Store item results, each with its item event")
    public Uni<Response> items(@Context ContainerRequestContext request, @PathParam("id") String id,
                               @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                               @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID job = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, job, body, clean -> {
            WorkerBodies.Items items = read(clean, WorkerBodies.Items.class);
            entries("items", items.items());
            List<WorkerItem> reported = new ArrayList<>();
            for (int i = 0; i < items.items().size(); i++) {
                WorkerBodies.Item item = items.items().get(i);
                String at = "items[" + i + "]";
                if (item == null) {
                    throw Requests.invalid(at, "must be an item object");
                }
                if (item.index() == null || item.index() < 0) {
                    throw Requests.invalid(at + ".index", "is required: a whole number from 0");
                }
                if (item.status() == null || !ITEM_STATUSES.contains(item.status())) {
                    throw Requests.invalid(at + ".status", "must be ok or failed");
                }
                if (item.httpStatus() != null && (item.httpStatus() < 100 || item.httpStatus() > 599)) {
                    throw Requests.invalid(at + ".httpStatus", "must be between 100 and 599");
                }
                text(at + ".error", item.error(), MAX_TEXT);
                reported.add(new WorkerItem(item.index(), item.input(), item.status(), item.httpStatus(), item.data(), item.error()));
            }
            return attempts.items(caller.workspace(), job, token, reported).map(x -> Response.noContent().build());
        });
    }

    @POST
    @Path("/children")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Children.class)))
    @APIResponse(responseCode = "201", description = "The children, in the order of the request (duplicate: true for one"
            + " whose childKey or uniqueKey existed)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Jobs.class)))
    @Operation(operationId = "enqueueChildren", summary = "Enqueue children of the job, as the batch endpoint with parentId set")
    public Uni<Response> children(@Context ContainerRequestContext request, @PathParam("id") String id,
                                  @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                                  @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID parent = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, parent, body, clean -> {
            WorkerBodies.Children children = read(clean, WorkerBodies.Children.class);
            entries("jobs", children.jobs());
            List<RemoteChildren.Child> entries = new ArrayList<>();
            for (int i = 0; i < children.jobs().size(); i++) {
                WorkerBodies.Child child = children.jobs().get(i);
                if (child == null) {
                    throw Requests.invalid("jobs[" + i + "]", "must be a job object");
                }
                if (child.childKey() != null && (child.childKey().isEmpty() || child.childKey().length() > 255)) {
                    throw Requests.invalid("jobs[" + i + "].childKey", "must be 1 to 255 characters");
                }
                text("jobs[" + i + "].childKey", child.childKey(), 255);
                entries.add(new RemoteChildren.Child(new JobRequest(child.kind(), child.queue(), child.args(), child.priority(),
                        child.runAt(), child.maxAttempts(), child.timeoutSeconds(), child.uniqueKey(), child.tags(), parent,
                        child.childFailure(), child.then(), child.callback(), child.backoff()), child.childKey()));
            }
            return this.children.enqueue(caller.workspace(), parent, token, entries)
                    .map(results -> Response.status(201).entity(new Bodies.Jobs(results.stream()
                            .map(r -> JobDocument.of(r.job(), r.duplicate())).toList(), null)).build());
        });
    }

    @POST
    @Path("/complete")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Complete.class)))
    @APIResponse(responseCode = "200", description = "The completed job (also for a repeat of the same call)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    @Operation(operationId = "completeJob", summary = "Complete the attempt with its result")
    public Uni<JobDocument> complete(@Context ContainerRequestContext request, @PathParam("id") String id,
                                     @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                                     @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID job = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, job, body, clean -> {
            WorkerBodies.Complete complete = clean == null || clean.length == 0 ? null : read(clean, WorkerBodies.Complete.class);
            String result = complete == null || complete.result() == null ? "null" : complete.result().toString();
            return attempts.complete(caller.workspace(), job, token, result);
        }).invoke(done -> leaseSecrets.forget(job)).map(JobDocument::of);
    }

    @POST
    @Path("/fail")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Fail.class)))
    @APIResponse(responseCode = "200", description = "The job, retrying or failed (also for a repeat of the same call)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    @Operation(operationId = "failJob", summary = "Fail the attempt: retried with backoff while attempts remain, unless not retryable")
    public Uni<JobDocument> fail(@Context ContainerRequestContext request, @PathParam("id") String id,
                                 @Parameter(in = ParameterIn.HEADER, required = true, name = LEASE_HEADER)
                                 @HeaderParam(LEASE_HEADER) String lease, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID job = Requests.jobId(id);
        String token = token(lease);
        return withRedacted(caller, job, body, clean -> {
            WorkerBodies.Fail fail = clean == null || clean.length == 0 ? new WorkerBodies.Fail(null, null, null, null)
                    : read(clean, WorkerBodies.Fail.class);
            text("message", fail.message(), Integer.MAX_VALUE);
            text("type", fail.type(), 100);
            if (fail.retryAfterSeconds() != null && (fail.retryAfterSeconds() < 0 || fail.retryAfterSeconds() > 86_400)) {
                throw Requests.invalid("retryAfterSeconds", "must be between 0 and 86400");
            }
            WorkerFailure failure = new WorkerFailure(fail.message(), fail.type(), !Boolean.FALSE.equals(fail.retryable()),
                    fail.retryAfterSeconds());
            return attempts.fail(caller.workspace(), job, token, failure);
        }).invoke(done -> leaseSecrets.forget(job)).map(JobDocument::of);
    }

    /**
     * The body with every secret value the job's claim carried replaced by its name ({@link LeaseSecrets}):
     * a worker trusted with a value cannot store it in the job. Too large a body is refused first.
     */
    private Uni<byte[]> redacted(Caller caller, UUID job, byte[] body) {
        if (body != null && body.length > maxBytes) {
            throw new ApiProblem(Problem.tooLarge("The body has " + body.length + " bytes; the limit is " + maxBytes
                    + " (HARRIER_LIMITS_REPORT_BYTES)"));
        }
        return leaseSecrets.redact(caller.workspace(), job, body);
    }

    /** What an endpoint does with the redacted body. */
    @FunctionalInterface
    private interface BodyAction<T> {
        Uni<T> apply(byte[] body) throws IOException;
    }

    /** Acts on the redacted body; one Jackson cannot read fails the reply with Jackson's own exception (a 400). */
    private <T> Uni<T> withRedacted(Caller caller, UUID job, byte[] body, BodyAction<T> action) {
        return redacted(caller, job, body).flatMap(clean -> {
            try {
                return action.apply(clean);
            } catch (IOException e) {
                return Uni.createFrom().failure(e);
            }
        });
    }

    private <T> T read(byte[] body, Class<T> type) throws IOException {
        if (body == null || body.length == 0) {
            throw Requests.invalid("", "is missing: send a JSON object, with Content-Type: application/json");
        }
        T read = json.read(body, type);
        if (read == null) {
            throw Requests.invalid("", "must be a JSON object");
        }
        return read;
    }

    private void entries(String field, List<?> entries) {
        if (entries == null) {
            throw Requests.invalid(field, "is required: an array");
        }
        if (entries.size() > maxEntries) {
            throw Requests.invalid(field, "has " + entries.size() + " entries; at most " + maxEntries
                    + " in one call (HARRIER_LIMITS_REPORT_ENTRIES)");
        }
    }

    private static void text(String field, String value, int max) {
        if (value == null) {
            return;
        }
        Requests.text(field, value);
        if (value.length() > max) {
            throw Requests.invalid(field, "must be at most " + max + " characters");
        }
    }

    private static String token(String lease) {
        if (lease == null || lease.isBlank()) {
            throw Requests.invalid(LEASE_HEADER, "is required: the leaseToken of the claim");
        }
        return lease.strip();
    }
}
