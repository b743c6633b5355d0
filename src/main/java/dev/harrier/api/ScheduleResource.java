package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.JobDocument;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.schedule.FireTimes;
import dev.harrier.schedule.JobTemplate;
import dev.harrier.schedule.Schedule;
import dev.harrier.schedule.ScheduleStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A workspace's schedules: create or replace, read, pause, delete, and trigger a run now. */
@Path("/api/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schedules", description = "Cron schedules in a time zone, fired once across instances")
public class ScheduleResource {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final int MAX_DESCRIPTION = 1_000;
    private static final Set<String> OVERLAP = Set.of("allow", "skip");
    private static final Set<String> CATCH_UP = Set.of("latest", "none", "all");
    static final String SOURCE_API = "api";
    static final String SOURCE_FILE = "file";

    private final ScheduleStore store;
    private final JobSubmitter submitter;
    private final RequestJson json;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final Clock clock;
    private final int maxSchedules;
    private final int maxExpressions;

    public ScheduleResource(ScheduleStore store, JobSubmitter submitter, RequestJson json, ObjectMapper mapper, Pool pool,
                            Clock clock, HarrierConfig config) {
        this.maxSchedules = config.limits().schedules();
        this.maxExpressions = config.limits().cronExpressions();
        this.store = store;
        this.submitter = submitter;
        this.json = json;
        this.mapper = mapper;
        this.pool = pool;
        this.clock = clock;
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.SchedulePut.class)))
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Schedule.class)))
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Schedule.class)))
    @Operation(operationId = "putSchedule", summary = "Create or replace a schedule")
    public Uni<Response> put(@Context ContainerRequestContext request, @PathParam("name") String name, byte[] body)
            throws IOException {
        Caller caller = Requests.withKey(request);
        checkName(name);
        if (body == null || body.length == 0) {
            throw Requests.invalid("", "is missing: send a JSON object, with Content-Type: application/json");
        }
        Bodies.SchedulePut put = json.read(body, Bodies.SchedulePut.class);
        if (put == null) {
            throw Requests.invalid("", "must be a JSON object");
        }
        return apply(caller.workspace(), name, put, mapper.readTree(body).get("job"), SOURCE_API)
                .flatMap(result -> document(result.schedule())
                        .map(doc -> Response.status(result.created() ? 201 : 200).entity(doc).build()));
    }

    /**
     * Creates or replaces a schedule from a PUT body, from the API or the schedule file
     * ({@code source}). Bad input fails with the problem document of a 400 and changes nothing.
     * The API may not replace a schedule of the file (409); the file takes over one of the API's,
     * and keeps the {@code paused} of a schedule it already had (a PATCH persists across starts).
     */
    Uni<ScheduleStore.Put> apply(String workspace, String name, Bodies.SchedulePut put, JsonNode job, String source) {
        List<FieldProblem> problems = new ArrayList<>();
        List<String> cron = cron(put.cron(), maxExpressions, problems);
        String zone = put.timeZone() == null ? "UTC" : put.timeZone();
        // Every problem at once: the zone is read even when the expressions could not be.
        boolean expressionsRead = problems.isEmpty();
        FireTimes.problems(expressionsRead ? cron : List.of(), zone)
                .forEach(e -> problems.add(new FieldProblem(e.field(), e.problem())));
        FireTimes times = problems.isEmpty() ? FireTimes.of(cron, zone) : null;
        if (put.job() == null) {
            problems.add(new FieldProblem("job", "is required: an enqueue body such as {\"kind\": \"noop\"}"));
        } else {
            if (put.job().runAt() != null) {
                problems.add(new FieldProblem("job.runAt", "is not allowed: each run is enqueued at its fire time"));
            }
            if (put.job().parentId() != null) {
                problems.add(new FieldProblem("job.parentId", "is not allowed in a schedule's job"));
            }
        }
        String overlap = put.overlap() == null ? "allow" : put.overlap();
        if (!OVERLAP.contains(overlap)) {
            problems.add(new FieldProblem("overlap", "must be allow or skip, not '" + overlap + "'"));
        }
        String catchUp = put.catchUp() == null ? "latest" : put.catchUp();
        if (!CATCH_UP.contains(catchUp)) {
            problems.add(new FieldProblem("catchUp", "must be latest, none or all, not '" + catchUp + "'"));
        }
        if (put.description() != null && put.description().length() > MAX_DESCRIPTION) {
            problems.add(new FieldProblem("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(new ApiProblem(Problem.invalid("Invalid schedule", problems)));
        }
        JobRequest template = new JobRequest(put.job().kind(), put.job().queue(), put.job().args(), put.job().priority(), null,
                put.job().maxAttempts(), put.job().timeoutSeconds(), put.job().uniqueKey(), put.job().tags(), null,
                put.job().childFailure(), put.job().then(), put.job().callback(), put.job().backoff());
        String jobJson;
        try {
            jobJson = mapper.writeValueAsString(job);
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        FireTimes fires = times;
        Instant now = clock.instant();
        return submitter.checkTemplate(workspace, template)
                .flatMap(ok -> store.get(workspace, name))
                .flatMap(existing -> {
                    if (existing.isPresent() && SOURCE_FILE.equals(existing.get().source()) && SOURCE_API.equals(source)) {
                        throw fromFile(name);
                    }
                    boolean paused = existing.isPresent() && SOURCE_FILE.equals(existing.get().source()) && SOURCE_FILE.equals(source)
                            ? existing.get().paused() : Boolean.TRUE.equals(put.paused());
                    Uni<Long> count = existing.isPresent() ? Uni.createFrom().item(0L) : store.count(workspace);
                    return count.flatMap(schedules -> {
                        if (schedules >= maxSchedules) {
                            throw Requests.invalid("name", "the workspace has " + maxSchedules
                                    + " schedules, the most it may have (HARRIER_LIMITS_SCHEDULES)");
                        }
                        return store.put(new Schedule(workspace, name, cron, zone, jobJson, overlap, catchUp, paused,
                                put.description(), source, fires.next(now).orElse(null), null, null));
                    });
                });
    }

    static ApiProblem fromFile(String name) {
        return new ApiProblem(Problem.conflict("Schedule " + name + " comes from the schedule file (HARRIER_SCHEDULES_FILE): "
                + "change or remove it there"));
    }

    @GET
    @Operation(operationId = "listSchedules", summary = "The workspace's schedules, by name")
    @APIResponse(responseCode = "200", description = "The schedules",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Schedules.class)))
    public Uni<Bodies.Schedules> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.workspaceReader(request);
        return store.list(caller.workspace()).flatMap(schedules -> documents(caller.workspace(), schedules))
                .map(Bodies.Schedules::new);
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getSchedule", summary = "Read a schedule, with its next five fire times and its last run")
    @APIResponse(responseCode = "200", description = "The schedule",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Schedule.class)))
    public Uni<Bodies.Schedule> get(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.workspaceReader(request);
        checkName(name);
        return existing(caller.workspace(), name).flatMap(this::document);
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.SchedulePatch.class)))
    @APIResponse(responseCode = "200", description = "The schedule",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Schedule.class)))
    @Operation(operationId = "updateSchedule", summary = "Pause or resume a schedule",
            description = "A resumed schedule applies its catchUp to the fires it skipped.")
    public Uni<Bodies.Schedule> patch(@Context ContainerRequestContext request, @PathParam("name") String name, byte[] body)
            throws IOException {
        Caller caller = Requests.withKey(request);
        checkName(name);
        Bodies.SchedulePatch patch = body == null || body.length == 0 ? null : json.read(body, Bodies.SchedulePatch.class);
        if (patch == null || patch.paused() == null) {
            throw Requests.invalid("paused", "is required: true or false");
        }
        return store.setPaused(caller.workspace(), name, patch.paused())
                .map(updated -> updated.orElseThrow(() -> notFound(name)))
                .flatMap(this::document);
    }

    @DELETE
    @Path("/{name}")
    @APIResponse(responseCode = "204", description = "Deleted; the jobs it created are kept")
    @Operation(operationId = "deleteSchedule", summary = "Delete a schedule")
    public Uni<Response> delete(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.withKey(request);
        checkName(name);
        return existing(caller.workspace(), name)
                .flatMap(schedule -> {
                    if (SOURCE_FILE.equals(schedule.source())) {
                        throw fromFile(name);
                    }
                    return store.delete(caller.workspace(), name);
                })
                .map(deleted -> {
                    if (!deleted) {
                        throw notFound(name);
                    }
                    return Response.noContent().build();
                });
    }

    @POST
    @Path("/{name}/trigger")
    @APIResponse(responseCode = "202", description = "The run, enqueued now",
            headers = @Header(name = "Location", description = "/api/v1/jobs/{id}", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobDocument.class)))
    @Operation(operationId = "triggerSchedule", summary = "Run a schedule now, out of band",
            description = "Whatever paused and overlap say; the run's scheduledFor is the trigger time and it is marked "
                    + "triggered. The endpoint for an external scheduler (a platform cron, a CI job).")
    public Uni<Response> trigger(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.withKey(request);
        checkName(name);
        Instant now = clock.instant();
        return existing(caller.workspace(), name)
                .flatMap(schedule -> pool.withTransaction(tx -> submitter.submitRuns(tx, caller.workspace(),
                        JobTemplate.read(mapper, schedule.jobJson()), name, List.of(now), true)))
                .map(results -> {
                    JobDocument job = JobDocument.of(results.get(0).job());
                    return Response.accepted(job).header("Location", "/api/v1/jobs/" + job.id()).build();
                });
    }

    private Uni<Schedule> existing(String workspace, String name) {
        return store.get(workspace, name).map(found -> found.orElseThrow(() -> notFound(name)));
    }

    private static ApiProblem notFound(String name) {
        return new ApiProblem(Problem.notFound("No schedule " + name));
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw Requests.invalid("name", "must be 1 to 100 letters, digits or . _ -");
        }
    }

    private static List<String> cron(JsonNode cron, int maxExpressions, List<FieldProblem> problems) {
        List<String> expressions = new ArrayList<>();
        if (cron == null || cron.isNull()) {
            problems.add(new FieldProblem("cron", "is required: an expression such as \"0 8 * * *\", or a list of them"));
        } else if (cron.isTextual()) {
            expressions.add(cron.textValue());
        } else if (cron.isArray() && !cron.isEmpty() && cron.size() <= maxExpressions) {
            for (int i = 0; i < cron.size(); i++) {
                if (!cron.get(i).isTextual()) {
                    problems.add(new FieldProblem("cron[" + i + "]", "must be a string"));
                }
                expressions.add(cron.get(i).asText());
            }
        } else if (cron.isArray()) {
            problems.add(new FieldProblem("cron", "must hold 1 to " + maxExpressions + " expressions, not " + cron.size()));
        } else {
            problems.add(new FieldProblem("cron", "must be a string or a list of strings"));
        }
        return expressions;
    }

    private Uni<Bodies.Schedule> document(Schedule schedule) {
        return documents(schedule.workspace(), List.of(schedule)).map(list -> list.get(0));
    }

    private Uni<List<Bodies.Schedule>> documents(String workspace, List<Schedule> schedules) {
        Instant now = clock.instant();
        return store.lastRuns(workspace, schedules.stream().map(Schedule::name).toList()).map(lastRuns -> {
            List<Bodies.Schedule> documents = new ArrayList<>();
            for (Schedule s : schedules) {
                ScheduleStore.LastRun last = lastRuns.get(s.name());
                documents.add(new Bodies.Schedule(s.name(), s.cron(), s.timeZone(), JobDocument.raw(s.jobJson()), s.overlap(),
                        s.catchUp(), s.paused(), s.description(), s.source(),
                        FireTimes.of(s.cron(), s.timeZone()).next(now, 5),
                        last == null ? null : new Bodies.LastRun(last.jobId().toString(), last.scheduledFor(), last.status()),
                        s.createdAt(), s.updatedAt()));
            }
            return documents;
        });
    }

}
