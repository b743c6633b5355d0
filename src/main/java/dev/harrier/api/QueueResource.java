package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.api.auth.Caller;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.QueueStats;
import dev.harrier.queue.QueueStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A workspace's queues: counts, pause and concurrency. */
@Path("/api/v1/queues")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Queues", description = "Queues with their counts; pause and global concurrency")
public class QueueResource {

    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final int MAX_CONCURRENCY = 10_000;

    private final QueueStats stats;
    private final QueueStore store;
    private final RequestJson json;

    public QueueResource(QueueStats stats, QueueStore store, RequestJson json) {
        this.stats = stats;
        this.store = store;
        this.json = json;
    }

    @GET
    @Operation(operationId = "listQueues", summary = "The workspace's queues, with job counts per status")
    @APIResponse(responseCode = "200", description = "The queues",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Queues.class)))
    public Uni<Bodies.Queues> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.workspaceReader(request);
        return stats.list(caller.workspace()).map(queues -> new Bodies.Queues(queues.stream().map(QueueResource::document).toList()));
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.QueuePatch.class)))
    @APIResponse(responseCode = "200", description = "The queue with its new settings",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Queue.class)))
    @Operation(operationId = "updateQueue", summary = "Pause or resume a queue, or change its concurrency on every instance",
            description = "Body {\"paused\": true, \"concurrency\": 20}; concurrency null removes the limit. Jobs can still be enqueued into a paused queue.")
    public Uni<Bodies.Queue> update(@Context ContainerRequestContext request, @PathParam("name") String name, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        if (!QUEUE_NAME.matcher(name).matches()) {
            throw Requests.invalid("name", "must be 1 to 64 letters, digits or _ . : -");
        }
        JsonNode patch = body == null || body.length == 0 ? null : json.read(body, JsonNode.class);
        if (patch == null || !patch.isObject()) {
            throw Requests.invalid("", "must be an object with paused and/or concurrency");
        }
        List<FieldProblem> problems = new ArrayList<>();
        patch.fieldNames().forEachRemaining(field -> {
            if (!field.equals("paused") && !field.equals("concurrency")) {
                problems.add(new FieldProblem(field, "is not a known field"));
            }
        });
        Boolean paused = null;
        if (patch.has("paused")) {
            if (!patch.get("paused").isBoolean()) {
                problems.add(new FieldProblem("paused", "must be true or false"));
            } else {
                paused = patch.get("paused").booleanValue();
            }
        }
        Integer concurrency = null;
        JsonNode limit = patch.get("concurrency");
        if (limit != null && !limit.isNull()) {
            if (!limit.isIntegralNumber() || limit.asLong() < 1 || limit.asLong() > MAX_CONCURRENCY) {
                problems.add(new FieldProblem("concurrency", "must be a whole number from 1 to " + MAX_CONCURRENCY + ", or null"));
            } else {
                concurrency = limit.intValue();
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiProblem(Problem.invalid("Invalid queue settings", problems));
        }
        String workspace = caller.workspace();
        return store.update(workspace, name, paused, patch.has("concurrency"), concurrency)
                .flatMap(updated -> stats.list(workspace))
                .map(queues -> queues.stream().filter(q -> q.settings().name().equals(name)).findFirst().map(QueueResource::document).orElseThrow());
    }

    private static Bodies.Queue document(QueueStats.Stats stats) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            counts.put(status.wire(), stats.counts().getOrDefault(status, 0L));
        }
        return new Bodies.Queue(stats.settings().name(), stats.settings().paused(), stats.settings().concurrency(),
                counts, stats.oldestPendingAgeSeconds());
    }
}
