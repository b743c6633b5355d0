package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.document.JobDocument;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.limit.LimitStore;
import dev.harrier.queue.KindStore;
import dev.harrier.remote.ClaimRequest;
import dev.harrier.remote.RemoteClaim;
import dev.harrier.remote.WorkerClaims;
import dev.harrier.secret.SecretStore;
import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Remote workers claim jobs of the workspace's remote kinds here, waiting for one if they ask to. */
@Path("/api/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "Workers in any language: remote kinds, claims with the long poll, and the lease-checked reports of a claimed job")
public class WorkerResource {

    static final int MAX_CLAIM = 1_000;
    static final int MAX_WAIT_SECONDS = 60;
    private static final int MAX_LIST = 100;
    private static final Pattern WORKER = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    private final WorkerClaims claims;
    private final KindStore kinds;
    private final LimitStore limits;
    private final RequestJson json;
    private final SecretStore secrets;
    private final LeaseSecrets leaseSecrets;
    private final HandlerRegistry handlers;

    public WorkerResource(WorkerClaims claims, KindStore kinds, RequestJson json, HandlerRegistry handlers, LimitStore limits,
                          SecretStore secrets, LeaseSecrets leaseSecrets) {
        this.secrets = secrets;
        this.leaseSecrets = leaseSecrets;
        this.handlers = handlers;
        this.limits = limits;
        this.claims = claims;
        this.kinds = kinds;
        this.json = json;
    }

    @POST
    @Path("/claim")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkerBodies.Claim.class)))
    @APIResponse(responseCode = "200", description = "The jobs claimed, each running under its own lease token",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerBodies.ClaimedJobs.class)))
    @APIResponse(responseCode = "204", description = "No job came within waitSeconds")
    @Operation(operationId = "claimJobs", summary = "Claim jobs of remote kinds, waiting up to waitSeconds for one",
            description = "Answers as soon as at least one job is claimed. max defaults to 1 (at most 1,000), waitSeconds to 0"
                    + " (at most 60), queues to every queue of the workspace.")
    public Uni<Response> claim(@Context ContainerRequestContext request, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        if (body == null || body.length == 0) {
            throw Requests.invalid("", "is missing: send a JSON object, with Content-Type: application/json");
        }
        WorkerBodies.Claim claim = json.read(body, WorkerBodies.Claim.class);
        if (claim == null) {
            throw Requests.invalid("", "must be a JSON object");
        }
        ClaimRequest checked = check(caller.workspace(), claim);
        Uni<Void> limitExists = checked.limit() == null ? Uni.createFrom().voidItem()
                : limits.get(caller.workspace(), checked.limit()).invoke(found -> {
                    if (found.isEmpty()) {
                        throw Requests.invalid("limit", "no limit named " + checked.limit() + " in this workspace");
                    }
                }).replaceWithVoid();
        return limitExists.flatMap(x -> kinds.named(caller.workspace(), checked.kinds()))
                .flatMap(declared -> {
                    for (int i = 0; i < checked.kinds().size(); i++) {
                        if (handlers.find(checked.kinds().get(i)).isPresent()) {
                            throw Requests.invalid("kinds[" + i + "]", "is run by Harrier itself (built in or a Java handler),"
                                    + " not by remote workers");
                        }
                        if (!declared.containsKey(checked.kinds().get(i))) {
                            throw Requests.invalid("kinds[" + i + "]", "is not a remote kind of this workspace: declare it"
                                    + " with PUT /api/v1/kinds/" + checked.kinds().get(i));
                        }
                    }
                    return claims.claim(checked);
                })
                .flatMap(claimed -> withSecrets(caller.workspace(), claimed))
                .map(WorkerResource::reply);
    }

    private ClaimRequest check(String workspace, WorkerBodies.Claim claim) {
        if (claim.worker() == null || !WORKER.matcher(claim.worker()).matches()) {
            throw Requests.invalid("worker", "is required: 1 to 100 letters, digits or . _ : - naming the worker");
        }
        if (claim.kinds() == null || claim.kinds().isEmpty() || claim.kinds().size() > MAX_LIST) {
            throw Requests.invalid("kinds", "is required: 1 to " + MAX_LIST + " remote kinds");
        }
        for (int i = 0; i < claim.kinds().size(); i++) {
            String kind = claim.kinds().get(i);
            if (kind == null || !ScheduleResource.NAME.matcher(kind).matches()) {
                throw Requests.invalid("kinds[" + i + "]", "must be a kind name: 1 to 100 letters, digits or . _ -");
            }
        }
        if (claim.queues() != null) {
            if (claim.queues().isEmpty() || claim.queues().size() > MAX_LIST) {
                throw Requests.invalid("queues", "must list 1 to " + MAX_LIST + " queues, or be left out for all");
            }
            for (int i = 0; i < claim.queues().size(); i++) {
                String queue = claim.queues().get(i);
                if (queue == null || !QUEUE.matcher(queue).matches()) {
                    throw Requests.invalid("queues[" + i + "]", "must be a queue name");
                }
            }
        }
        int max = claim.max() == null ? 1 : claim.max();
        if (max < 1 || max > MAX_CLAIM) {
            throw Requests.invalid("max", "must be between 1 and " + MAX_CLAIM);
        }
        int wait = claim.waitSeconds() == null ? 0 : claim.waitSeconds();
        if (wait < 0 || wait > MAX_WAIT_SECONDS) {
            throw Requests.invalid("waitSeconds", "must be between 0 and " + MAX_WAIT_SECONDS);
        }
        if (claim.limit() != null && !DatasetNames.valid(claim.limit())) {
            throw Requests.invalid("limit", "must name a limit: 1 to 100 of A-Z a-z 0-9 . _ -");
        }
        return new ClaimRequest(workspace, claim.worker(), List.copyOf(new LinkedHashSet<>(claim.kinds())),
                claim.queues() == null ? null : List.copyOf(new LinkedHashSet<>(claim.queues())), max, Duration.ofSeconds(wait),
                claim.limit());
    }

    private static Response reply(List<WorkerBodies.ClaimedJob> claimed) {
        if (claimed.isEmpty()) {
            return Response.noContent().build();
        }
        return Response.ok(new WorkerBodies.ClaimedJobs(claimed)).build();
    }

    /**
     * The claimed jobs as the worker gets them: the placeholders of secrets whose {@code kinds}
     * list the job's kind are filled in (in this reply only); any other stays a placeholder.
     */
    private Uni<List<WorkerBodies.ClaimedJob>> withSecrets(String workspace, List<RemoteClaim> claimed) {
        if (claimed.stream().allMatch(c -> SecretValues.namesIn(c.job().argsJson()).isEmpty())) {
            claimed.forEach(c -> leaseSecrets.remember(c.job().id(), SecretValues.NONE));
            return Uni.createFrom().item(claimed.stream().map(c -> claimedJob(c, JobDocument.of(c.job()))).toList());
        }
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndConcatenate(c -> secrets.resolve(workspace, SecretValues.namesIn(c.job().argsJson()), c.job().kind())
                        .invoke(values -> leaseSecrets.remember(c.job().id(), values))
                        .map(values -> claimedJob(c, JobDocument.of(c.job()).withArgs(JobDocument.raw(values.fillJson(c.job().argsJson()))))))
                .collect().asList();
    }

    private static WorkerBodies.ClaimedJob claimedJob(RemoteClaim claim, JobDocument document) {
        return new WorkerBodies.ClaimedJob(document, claim.leaseToken(), claim.leaseExpiresAt(), claim.timeoutAt());
    }
}
