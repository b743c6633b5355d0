package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.JobDocument;
import dev.harrier.document.Problem;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.InvalidJobException;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobIds;
import dev.harrier.queue.JobListing;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.JobSubmitter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Enqueue, read, list, cancel and retry jobs. */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Enqueue, read, list, cancel and retry jobs; their logs, items, read tokens and event streams")
public class JobResource {

    private final JobSubmitter submitter;
    private final JobActions actions;
    private final JobReads reads;
    private final JobListing listing;
    private final RequestJson json;
    private final HarrierConfig config;

    public JobResource(JobSubmitter submitter, JobActions actions, JobReads reads, JobListing listing, RequestJson json,
                       HarrierConfig config) {
        this.submitter = submitter;
        this.actions = actions;
        this.reads = reads;
        this.listing = listing;
        this.json = json;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "enqueueJob", summary = "Enqueue a job",
            description = "201 with the new job; 200 with the live job and duplicate=true when its uniqueKey matched.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Enqueue.class)))
    @APIResponse(responseCode = "201", description = "The new job",
            headers = @Header(name = "Location", description = "/api/v1/jobs/{id}", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    @APIResponse(responseCode = "200", description = "The live job that holds the uniqueKey, with duplicate: true",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    public Uni<Response> enqueue(@Context ContainerRequestContext request, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        checkSize(body, config.api().maxJobBody());
        Bodies.Enqueue enqueue = json.read(body, Bodies.Enqueue.class);
        if (enqueue == null) {
            throw Requests.invalid("", "must be a job object, not null");
        }
        return submitter.submit(caller.workspace(), List.of(toRequest(enqueue, "")))
                .onFailure(InvalidJobException.class).transform(e -> ((InvalidJobException) e).forOneJob())
                .map(results -> created(results.get(0)));
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "enqueueJobs", summary = "Enqueue up to 10,000 jobs, all or nothing")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Batch.class)))
    @APIResponse(responseCode = "201", description = "The jobs, in the order of the request",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Jobs.class)))
    public Uni<Response> enqueueMany(@Context ContainerRequestContext request, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        checkSize(body, config.api().maxBatchBody());
        Bodies.Batch batch = json.read(body, Bodies.Batch.class);
        if (batch == null || batch.jobs() == null) {
            throw Requests.invalid("jobs", "is required: an array of jobs");
        }
        if (batch.jobs().size() > JobSubmitter.MAX_BATCH) {
            throw Requests.invalid("jobs", "at most " + JobSubmitter.MAX_BATCH + " jobs in one batch, not " + batch.jobs().size());
        }
        List<JobRequest> requests = new ArrayList<>(batch.jobs().size());
        for (int i = 0; i < batch.jobs().size(); i++) {
            Bodies.Enqueue job = batch.jobs().get(i);
            if (job == null) {
                throw Requests.invalid("jobs[" + i + "]", "must be a job object");
            }
            requests.add(toRequest(job, "jobs[" + i + "]."));
        }
        return submitter.submit(caller.workspace(), requests)
                .map(results -> Response.status(201)
                        .entity(new Bodies.Jobs(results.stream().map(r -> JobDocument.of(r.job(), r.duplicate())).toList(), null))
                        .build());
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getJob", summary = "Read a job")
    @APIResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    public Uni<JobDocument> get(@Context ContainerRequestContext request, @PathParam("id") String id) {
        Caller caller = Requests.caller(request);
        return find(caller, Requests.jobId(id)).map(JobDocument::of);
    }

    @GET
    @Operation(operationId = "listJobs", summary = "List jobs, newest first", description = "Filters: status (repeat it: any of the statuses), "
            + "tag (repeat it: jobs carrying all of the tags), kind, queue, schedule (the runs of a schedule), parent (a job's children). Pages of limit (1-500, 50 by default); "
            + "nextCursor is absent on the last page.")
    @APIResponse(responseCode = "200", description = "A page of jobs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Jobs.class)))
    public Uni<Bodies.Jobs> list(@Context ContainerRequestContext request, @QueryParam("status") List<String> status,
                                 @QueryParam("kind") String kind, @QueryParam("queue") String queue,
                                 @QueryParam("tag") List<String> tag, @QueryParam("schedule") String schedule,
                                 @QueryParam("parent") String parent,
                                 @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER)) String limit,
                                 @QueryParam("cursor") String cursor) {
        Caller caller = Requests.jobReader(request);
        Requests.text("kind", kind);
        Requests.text("queue", queue);
        Requests.text("schedule", schedule);
        Requests.text("cursor", cursor);
        int size = Requests.limit(limit, 50, 500);
        UUID parentId = parent == null || parent.isBlank() ? null
                : JobIds.parse(parent.strip()).orElseThrow(() -> Requests.invalid("parent", "is not a job id"));
        List<String> tags = tags(tag);
        Uni<Void> visible = Uni.createFrom().voidItem();
        if (caller.taggedOnly() && parentId != null) {
            // The children of a job the token reads, whatever their own tags.
            visible = reads.require(caller, parentId).replaceWithVoid();
        } else if (caller.taggedOnly()) {
            tags = new ArrayList<>(tags);
            tags.addAll(caller.tags());
        }
        JobListing.Filter filter = new JobListing.Filter(statuses(status), blankToNull(kind), blankToNull(queue), tags,
                blankToNull(schedule), parentId);
        return visible
                .flatMap(seen -> listing.page(caller.workspace(), filter, position(cursor), size + 1))
                .map(jobs -> {
                    List<Job> page = jobs.size() > size ? jobs.subList(0, size) : jobs;
                    String next = null;
                    if (jobs.size() > size) {
                        Job last = page.get(page.size() - 1);
                        next = Requests.encodeCursor(last.createdAt().toString() + "|" + last.id());
                    }
                    return new Bodies.Jobs(page.stream().map(JobDocument::of).toList(), next);
                });
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(operationId = "cancelJob", summary = "Cancel a job",
            description = "200 when cancelled at once; 202 when it runs and its instance was asked to stop it; 409 when terminal.")
    @APIResponse(responseCode = "200", description = "Cancelled",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    @APIResponse(responseCode = "202", description = "Running: its instance was asked to stop it; it ends cancelled shortly",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    public Uni<Response> cancel(@Context ContainerRequestContext request, @PathParam("id") String id) {
        Caller caller = Requests.withKey(request);
        UUID jobId = Requests.jobId(id);
        return actions.cancel(caller.workspace(), jobId)
                .flatMap(result -> switch (result) {
                    case DONE -> reply(caller, jobId, 200);
                    case REQUESTED -> reply(caller, jobId, 202);
                    case CONFLICT -> Uni.createFrom().failure(new ApiProblem(Problem.conflict("The job has already ended")));
                    case NOT_FOUND -> Uni.createFrom().failure(new ApiProblem(Problem.notFound("No job " + id)));
                });
    }

    @POST
    @Path("/{id}/retry")
    @Operation(operationId = "retryJob", summary = "Run a failed or cancelled job again, with a fresh attempt budget")
    @APIResponse(responseCode = "200", description = "The job, pending again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    public Uni<Response> retry(@Context ContainerRequestContext request, @PathParam("id") String id) {
        Caller caller = Requests.withKey(request);
        UUID jobId = Requests.jobId(id);
        return actions.retry(caller.workspace(), jobId)
                .flatMap(result -> switch (result) {
                    case DONE, REQUESTED -> reply(caller, jobId, 200);
                    case CONFLICT -> Uni.createFrom().failure(new ApiProblem(
                            Problem.conflict("Only failed or cancelled jobs can be retried")));
                    case NOT_FOUND -> Uni.createFrom().failure(new ApiProblem(Problem.notFound("No job " + id)));
                });
    }

    Uni<Job> find(Caller caller, UUID id) {
        return reads.require(caller, id);
    }

    private Uni<Response> reply(Caller caller, UUID id, int status) {
        return find(caller, id).map(job -> Response.status(status).entity(JobDocument.of(job)).build());
    }

    private static Response created(EnqueueResult result) {
        JobDocument document = JobDocument.of(result.job(), result.duplicate());
        if (result.duplicate()) {
            return Response.ok(document).build();
        }
        // Relative, as ../shared/API.md writes it: the client resolves it against its own base URL.
        return Response.status(201).header("Location", "/api/v1/jobs/" + result.job().id()).entity(document).build();
    }

    private static void checkSize(byte[] body, int limit) {
        if (body != null && body.length > limit) {
            throw new ApiProblem(Problem.tooLarge("The body has " + body.length + " bytes; the limit is " + limit));
        }
        if (body == null || body.length == 0) {
            throw Requests.invalid("", "is missing: send a JSON object, with Content-Type: application/json");
        }
    }

    private static JobRequest toRequest(Bodies.Enqueue body, String prefix) {
        UUID parent = null;
        if (body.parentId() != null) {
            parent = JobIds.parse(body.parentId()).orElseThrow(() -> Requests.invalid(prefix + "parentId", "is not a job id"));
        }
        return new JobRequest(body.kind(), body.queue(), body.args(), body.priority(), body.runAt(), body.maxAttempts(),
                body.timeoutSeconds(), body.uniqueKey(), body.tags(), parent, body.childFailure(), body.then(), body.callback(),
                body.backoff());
    }

    private static Set<JobStatus> statuses(List<String> values) {
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        for (String value : values == null ? List.<String>of() : values) {
            if (value == null || value.isBlank()) {
                continue;
            }
            Requests.text("status", value);
            try {
                statuses.add(JobStatus.fromWire(value.strip()));
            } catch (IllegalArgumentException e) {
                throw Requests.invalid("status", "must be one of scheduled, pending, running, retrying, waiting, completed, "
                        + "failed, cancelled, not '" + value + "'");
            }
        }
        return statuses;
    }

    private static List<String> tags(List<String> values) {
        List<String> tags = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            Requests.text("tag", value);
            if (value != null && !value.isBlank()) {
                tags.add(value);
            }
        }
        return tags;
    }

    private static JobListing.Position position(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        String plain = Requests.decodeCursor(cursor);
        int bar = plain.indexOf('|');
        try {
            return new JobListing.Position(Instant.parse(plain.substring(0, bar)), UUID.fromString(plain.substring(bar + 1)));
        } catch (RuntimeException e) {
            throw Requests.invalid("cursor", "is not a cursor this API returned");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
