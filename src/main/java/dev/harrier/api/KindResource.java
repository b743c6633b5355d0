package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.ArgsSchemaGenerator;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.limit.LimitStore;
import dev.harrier.queue.ArgsSchemas;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.queue.KindStore;
import dev.harrier.queue.RemoteKind;
import dev.harrier.queue.RetryBackoffs;
import dev.harrier.time.RetryBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The kinds a workspace can enqueue: those this service runs, and those it declares for remote workers. */
@Path("/api/v1/kinds")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "Workers in any language: remote kinds, claims with the long poll, and the lease-checked reports of a claimed job")
public class KindResource {

    static final String RUN_BY_HARRIER = "harrier";
    static final String RUN_BY_REMOTE = "remote";

    private final KindStore store;
    private final ArgsSchemas schemas;
    private final HandlerRegistry handlers;
    private final ArgsSchemaGenerator generated;
    private final RequestJson json;
    private final ObjectMapper mapper;
    private final int maxKinds;
    private final LimitStore limits;

    public KindResource(KindStore store, ArgsSchemas schemas, HandlerRegistry handlers, ArgsSchemaGenerator generated,
                        RequestJson json, ObjectMapper mapper, HarrierConfig config, LimitStore limits) {
        this.limits = limits;
        this.store = store;
        this.schemas = schemas;
        this.handlers = handlers;
        this.generated = generated;
        this.json = json;
        this.mapper = mapper;
        this.maxKinds = config.limits().kinds();
    }

    @PUT
    @Path("/{kind}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.KindPut.class)))
    @APIResponse(responseCode = "201", description = "Declared",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.Kind.class)))
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.Kind.class)))
    @Operation(operationId = "putKind", summary = "Declare a kind run by remote workers",
            description = "Its args are checked against argsSchema at enqueue; a built-in or Java kind's name is a 409.")
    public Uni<Response> put(@Context ContainerRequestContext request, @PathParam("kind") String kind, byte[] body)
            throws IOException {
        Caller caller = Requests.withKey(request);
        checkName(kind);
        if (handlers.find(kind).isPresent()) {
            throw new ApiProblem(Problem.conflict("Kind " + kind + " is run by Harrier itself (built in or a Java handler)"));
        }
        WorkerBodies.KindPut put = body == null || body.length == 0 ? null : json.read(body, WorkerBodies.KindPut.class);
        JsonNode schema = put == null ? null : mapper.readTree(body).get("argsSchema");
        List<FieldProblem> problems = new ArrayList<>(schemas.check(schema));
        if (put != null) {
            check(put, problems);
        }
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(new ApiProblem(Problem.invalid("Invalid kind", problems)));
        }
        RemoteKind declared = new RemoteKind(caller.workspace(), kind, schema == null || schema.isNull() ? null : schema.toString(),
                put == null ? null : put.timeoutSeconds(), put == null ? null : put.maxAttempts(),
                put == null || put.backoff() == null ? null : new RetryBackoff(put.backoff().baseSeconds(),
                        put.backoff().factor(), put.backoff().maxSeconds(), put.backoff().jitter()),
                put == null ? null : put.limit(), null, null);
        Uni<Void> limitExists = declared.limit() == null ? Uni.createFrom().voidItem()
                : limits.get(caller.workspace(), declared.limit()).invoke(found -> {
                    if (found.isEmpty()) {
                        throw Requests.invalid("limit", "no limit named " + declared.limit() + " in this workspace (PUT /api/v1/limits/"
                                + declared.limit() + " first)");
                    }
                }).replaceWithVoid();
        return limitExists.flatMap(x -> store.get(caller.workspace(), kind))
                .flatMap(existing -> existing.isPresent() ? Uni.createFrom().item(0L) : store.count(caller.workspace()))
                .flatMap(count -> {
                    if (count >= maxKinds) {
                        throw Requests.invalid("kind", "the workspace has " + maxKinds
                                + " kinds, the most it may have (HARRIER_LIMITS_KINDS)");
                    }
                    return store.put(declared);
                })
                .map(result -> Response.status(result.created() ? 201 : 200).entity(document(result.kind())).build());
    }

    @GET
    @Operation(operationId = "listKinds", summary = "Every kind the workspace can enqueue, built in and remote, with its args schema")
    @APIResponse(responseCode = "200", description = "The kinds, Harrier's first, then the remote ones, by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.Kinds.class)))
    public Uni<WorkerBodies.Kinds> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.workspaceReader(request);
        List<WorkerBodies.Kind> kinds = new ArrayList<>();
        handlers.kinds().forEach(name -> kinds.add(builtIn(name)));
        return store.list(caller.workspace()).map(remote -> {
            remote.forEach(kind -> kinds.add(document(kind)));
            return new WorkerBodies.Kinds(kinds);
        });
    }

    @GET
    @Path("/{kind}")
    @Operation(operationId = "getKind", summary = "Read a kind")
    @APIResponse(responseCode = "200", description = "The kind",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.Kind.class)))
    public Uni<WorkerBodies.Kind> get(@Context ContainerRequestContext request, @PathParam("kind") String kind) {
        Caller caller = Requests.workspaceReader(request);
        checkName(kind);
        if (handlers.find(kind).isPresent()) {
            return Uni.createFrom().item(builtIn(kind));
        }
        return store.get(caller.workspace(), kind)
                .map(found -> document(found.orElseThrow(() -> new ApiProblem(Problem.notFound("No kind " + kind)))));
    }

    @DELETE
    @Path("/{kind}")
    @APIResponse(responseCode = "204", description = "Deleted; its jobs stay, and new ones are refused")
    @Operation(operationId = "deleteKind", summary = "Delete a remote kind")
    public Uni<Response> delete(@Context ContainerRequestContext request, @PathParam("kind") String kind) {
        Caller caller = Requests.withKey(request);
        checkName(kind);
        if (handlers.find(kind).isPresent()) {
            throw new ApiProblem(Problem.conflict("Kind " + kind + " is run by Harrier itself and cannot be deleted"));
        }
        return store.delete(caller.workspace(), kind).map(deleted -> {
            if (!deleted) {
                throw new ApiProblem(Problem.notFound("No kind " + kind));
            }
            return Response.noContent().build();
        });
    }

    private static void check(WorkerBodies.KindPut put, List<FieldProblem> problems) {
        if (put.timeoutSeconds() != null && (put.timeoutSeconds() < 1 || put.timeoutSeconds() > JobSubmitter.MAX_TIMEOUT_SECONDS)) {
            problems.add(new FieldProblem("timeoutSeconds", "must be between 1 and " + JobSubmitter.MAX_TIMEOUT_SECONDS));
        }
        if (put.maxAttempts() != null && (put.maxAttempts() < 1 || put.maxAttempts() > JobSubmitter.MAX_ATTEMPTS)) {
            problems.add(new FieldProblem("maxAttempts", "must be between 1 and " + JobSubmitter.MAX_ATTEMPTS));
        }
        if (put.limit() != null && !DatasetNames.valid(put.limit())) {
            problems.add(new FieldProblem("limit", "must name a limit: 1 to 100 of A-Z a-z 0-9 . _ -"));
        }
        WorkerBodies.Backoff backoff = put.backoff();
        RetryBackoffs.check(problems, "backoff", backoff == null ? null
                : new RetryBackoff(backoff.baseSeconds(), backoff.factor(), backoff.maxSeconds(), backoff.jitter()));
    }

    /** A kind this service runs: its name and the schema of its argument record. */
    private WorkerBodies.Kind builtIn(String kind) {
        return new WorkerBodies.Kind(kind, RUN_BY_HARRIER, generated.schemaOf(handlers.find(kind).orElseThrow()),
                null, null, null, null, null, null);
    }

    private WorkerBodies.Kind document(RemoteKind kind) {
        RetryBackoff b = kind.backoff();
        JsonNode schema;
        try {
            schema = kind.argsSchemaJson() == null ? null : mapper.readTree(kind.argsSchemaJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new WorkerBodies.Kind(kind.name(), RUN_BY_REMOTE, schema, kind.timeoutSeconds(), kind.maxAttempts(),
                b == null ? null : new WorkerBodies.Backoff(b.baseSeconds(), b.factor(), b.maxSeconds(), b.jitter()),
                kind.limit(), kind.createdAt(), kind.updatedAt());
    }

    private static void checkName(String name) {
        if (!ScheduleResource.NAME.matcher(name).matches()) {
            throw Requests.invalid("kind", "must be 1 to 100 letters, digits or . _ -");
        }
    }
}
