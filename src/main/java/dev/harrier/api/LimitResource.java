package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.limit.Limit;
import dev.harrier.limit.LimitStore;
import dev.harrier.queue.KindStore;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A workspace's shared limits: one account's rate and concurrency, whatever the number of jobs and instances. */
@Path("/api/v1/limits")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Limits", description = "Shared rate limits: requests per period and in flight, enforced across jobs and instances")
public class LimitResource {

    static final int MAX_REQUESTS = 1_000_000;
    static final double MAX_PER_SECONDS = 86_400;
    static final int MAX_CONCURRENCY = 100_000;

    /** {@code PUT /api/v1/limits/{name}}: a rate ({@code requests} per {@code perSeconds}), a {@code concurrency}, or both. */
    public record LimitPut(@Schema(description = "Requests per perSeconds; with perSeconds") Integer requests,
                           @Schema(description = "The period of requests, in seconds (fractions allowed)") Double perSeconds,
                           @Schema(description = "Requests in flight at once") Integer concurrency) {
    }

    public record LimitDocument(String name, @Schema(nullable = true) Integer requests, @Schema(nullable = true) Double perSeconds,
                                @Schema(nullable = true) Integer concurrency, Instant createdAt, Instant updatedAt) {
    }

    public record Limits(List<LimitDocument> limits) {
    }

    private final LimitStore store;
    private final KindStore kinds;
    private final RequestJson json;
    private final int maxLimits;

    public LimitResource(LimitStore store, KindStore kinds, RequestJson json, HarrierConfig config) {
        this.store = store;
        this.kinds = kinds;
        this.json = json;
        this.maxLimits = config.limits().sharedLimits();
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LimitPut.class)))
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LimitDocument.class)))
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LimitDocument.class)))
    @Operation(operationId = "putLimit", summary = "Create or replace a shared limit",
            description = "Jobs name it with \"limit\" in their args; every instance enforces it together. A changed limit "
                    + "applies within 5 s.")
    public Uni<Response> put(@Context ContainerRequestContext request, @PathParam("name") String name, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        checkName(name);
        LimitPut put = body == null || body.length == 0 ? null : json.read(body, LimitPut.class);
        List<FieldProblem> problems = new ArrayList<>();
        check(put, problems);
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(new ApiProblem(Problem.invalid("Invalid limit", problems)));
        }
        Limit limit = new Limit(caller.workspace(), name, put.requests(), put.perSeconds(), put.concurrency(), null, null);
        return store.get(caller.workspace(), name)
                .flatMap(existing -> existing.isPresent() ? Uni.createFrom().item(0L) : store.count(caller.workspace()))
                .flatMap(count -> {
                    if (count >= maxLimits) {
                        throw Requests.invalid("name", "the workspace has " + maxLimits
                                + " limits, the most it may have (HARRIER_LIMITS_SHARED_LIMITS)");
                    }
                    return store.put(limit);
                })
                .map(result -> Response.status(result.created() ? 201 : 200).entity(document(result.limit())).build());
    }

    @GET
    @Operation(operationId = "listLimits", summary = "The workspace's shared limits, by name")
    @APIResponse(responseCode = "200", description = "The limits",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Limits.class)))
    public Uni<Limits> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.workspaceReader(request);
        return store.list(caller.workspace()).map(limits -> new Limits(limits.stream().map(LimitResource::document).toList()));
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getLimit", summary = "Read a shared limit")
    @APIResponse(responseCode = "200", description = "The limit",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LimitDocument.class)))
    public Uni<LimitDocument> get(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.workspaceReader(request);
        checkName(name);
        return store.get(caller.workspace(), name)
                .map(found -> document(found.orElseThrow(() -> new ApiProblem(Problem.notFound("No limit " + name)))));
    }

    @DELETE
    @Path("/{name}")
    @APIResponse(responseCode = "204", description = "Deleted; jobs that name it fail their next request (limit_unavailable)")
    @APIResponse(responseCode = "409", description = "A remote kind counts its claims against it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @Operation(operationId = "deleteLimit", summary = "Delete a shared limit")
    public Uni<Response> delete(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.withKey(request);
        checkName(name);
        return kinds.countNaming(caller.workspace(), name)
                .invoke(naming -> {
                    if (naming > 0) {
                        throw new ApiProblem(Problem.conflict("Limit " + name + " is the limit of " + naming
                                + " remote kind(s): change their limit first (PUT /api/v1/kinds/{kind})"));
                    }
                })
                .flatMap(naming -> store.delete(caller.workspace(), name))
                .map(deleted -> {
                    if (!deleted) {
                        throw new ApiProblem(Problem.notFound("No limit " + name));
                    }
                    return Response.noContent().build();
                });
    }

    private static void checkName(String name) {
        if (!DatasetNames.valid(name)) {
            throw Requests.invalid("name", "must be 1 to 100 of A-Z a-z 0-9 . _ -");
        }
    }

    private static void check(LimitPut put, List<FieldProblem> problems) {
        if (put == null || put.requests() == null && put.perSeconds() == null && put.concurrency() == null) {
            problems.add(new FieldProblem("requests", "give a rate (requests and perSeconds), a concurrency, or both"));
            return;
        }
        if ((put.requests() == null) != (put.perSeconds() == null)) {
            problems.add(new FieldProblem(put.requests() == null ? "requests" : "perSeconds", "requests and perSeconds go together"));
        }
        if (put.requests() != null && (put.requests() < 1 || put.requests() > MAX_REQUESTS)) {
            problems.add(new FieldProblem("requests", "must be between 1 and " + MAX_REQUESTS));
        }
        if (put.perSeconds() != null && !(put.perSeconds() >= 0.001 && put.perSeconds() <= MAX_PER_SECONDS)) {
            problems.add(new FieldProblem("perSeconds", "must be between 0.001 and " + (int) MAX_PER_SECONDS));
        }
        if (put.concurrency() != null && (put.concurrency() < 1 || put.concurrency() > MAX_CONCURRENCY)) {
            problems.add(new FieldProblem("concurrency", "must be between 1 and " + MAX_CONCURRENCY));
        }
    }

    private static LimitDocument document(Limit limit) {
        return new LimitDocument(limit.name(), limit.requests(), limit.perSeconds(), limit.concurrency(), limit.createdAt(),
                limit.updatedAt());
    }
}
