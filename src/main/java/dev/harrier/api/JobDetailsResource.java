package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.harrier.api.auth.Caller;
import dev.harrier.api.auth.ReadTokens;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.JobDocument;
import dev.harrier.document.StoredJson;
import dev.harrier.events.EventStore;
import dev.harrier.events.JobEvent;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobItems;
import dev.harrier.stream.JobStream;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A job's event stream, its log, its fan-out items, and read tokens for browsers. */
@Path("/api/v1/jobs/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Enqueue, read, list, cancel and retry jobs; their logs, items, read tokens and event streams")
public class JobDetailsResource {

    private static final int LOG_PAGE = 200;

    private final JobReads reads;
    private final JobStream jobStream;
    private final EventStore events;
    private final JobItems items;
    private final ReadTokens tokens;
    private final RequestJson json;
    private final HarrierConfig config;

    public JobDetailsResource(JobReads reads, JobStream jobStream, EventStore events, JobItems items, ReadTokens tokens,
                              RequestJson json, HarrierConfig config) {
        this.reads = reads;
        this.jobStream = jobStream;
        this.events = events;
        this.items = items;
        this.tokens = tokens;
        this.json = json;
        this.config = config;
    }

    @GET
    @Path("/logs")
    @Operation(operationId = "getJobLogs", summary = "A job's log lines, oldest first")
    @APIResponse(responseCode = "200", description = "A page of log lines",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Logs.class)))
    public Uni<Bodies.Logs> logs(@Context ContainerRequestContext request, @PathParam("id") String id,
                                 @QueryParam("cursor") String cursor) {
        Caller caller = Requests.caller(request);
        UUID jobId = Requests.jobId(id);
        long after = cursor == null || cursor.isBlank() ? 0 : parseLong(Requests.decodeCursor(cursor), "cursor");
        return exists(caller, jobId)
                .flatMap(job -> events.logsAfter(jobId, after, LOG_PAGE + 1))
                .map(lines -> {
                    List<JobEvent> page = lines.size() > LOG_PAGE ? lines.subList(0, LOG_PAGE) : lines;
                    String next = lines.size() > LOG_PAGE ? Requests.encodeCursor(Long.toString(page.get(page.size() - 1).seq())) : null;
                    return new Bodies.Logs(page.stream().map(JobDetailsResource::logLine).toList(), next);
                });
    }

    @GET
    @Path("/items")
    @Operation(operationId = "getJobItems", summary = "Per-item results of a fan-out job, by index")
    @APIResponse(responseCode = "200", description = "A page of items",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Items.class)))
    public Uni<Bodies.Items> items(@Context ContainerRequestContext request, @PathParam("id") String id,
                                   @QueryParam("status") String status, @QueryParam("cursor") String cursor,
                                   @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER)) String limit) {
        Caller caller = Requests.caller(request);
        UUID jobId = Requests.jobId(id);
        int size = Requests.limit(limit, 100, 1000);
        if (status != null && !status.isBlank() && !status.equals("ok") && !status.equals("failed")) {
            throw Requests.invalid("status", "must be ok or failed");
        }
        int after = cursor == null || cursor.isBlank() ? -1 : (int) parseLong(Requests.decodeCursor(cursor), "cursor");
        String itemStatus = status == null || status.isBlank() ? null : status;
        return exists(caller, jobId)
                .flatMap(job -> items.after(jobId, after, itemStatus, size + 1)
                        .map(found -> Map.entry(job.kind(), found)))
                .map(kindAndFound -> {
                    String kind = kindAndFound.getKey();
                    var found = kindAndFound.getValue();
                    var page = found.size() > size ? found.subList(0, size) : found;
                    String next = found.size() > size ? Requests.encodeCursor(Integer.toString(page.get(page.size() - 1).index())) : null;
                    return new Bodies.Items(page.stream().map(i -> new Bodies.Item(i.index(), input(kind, i.input()), i.status(),
                            i.httpStatus(), i.attempts(), i.durationMs(),
                            JobDocument.raw(i.dataJson()), i.error())).toList(), next);
                });
    }

    /** An item's input as the client gave it: an enrich record as JSON, anything else (a URL) as a string. */
    static JsonNode input(String kind, String stored) {
        if ("enrich".equals(kind) && stored != null) {
            JsonNode parsed = StoredJson.read(stored).value();
            if (parsed != null) {
                return parsed;
            }
        }
        return stored == null ? null : TextNode.valueOf(stored);
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createJobToken", summary = "Issue a read token for this job",
            description = "For a browser's EventSource: ?access_token= on this job's read endpoints.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.TokenRequest.class)))
    @APIResponse(responseCode = "201", description = "The token and when it expires",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Token.class)))
    public Uni<Response> token(@Context ContainerRequestContext request, @PathParam("id") String id, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        UUID jobId = Requests.jobId(id);
        Bodies.TokenRequest wanted = body == null || body.length == 0 ? new Bodies.TokenRequest(null)
                : json.read(body, Bodies.TokenRequest.class);
        long ttl = Requests.tokenTtl(wanted == null ? null : wanted.ttlSeconds(), config.api().maxTokenTtl());
        return exists(caller, jobId)
                .map(job -> tokens.issue(caller.workspace(), jobId, ttl))
                .map(issued -> Response.status(201).entity(new Bodies.Token(issued.token(), issued.expiresAt())).build());
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(responseCode = "200", description = "Server-Sent Events: status (JobDocument), progress (ProgressEvent), "
            + "log (LogLine), item (ItemEvent); see x-events",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @Operation(operationId = "streamJobEvents", summary = "Follow a job: status, progress, log and item events",
            description = "The first event is the job's document; the stream closes after the terminal status. Resume with Last-Event-ID (header) or lastEventId (query).")
    public Multi<OutboundSseEvent> job(@Context ContainerRequestContext request, @PathParam("id") String id,
                                       @HeaderParam("Last-Event-ID") String lastEventIdHeader,
                                       @QueryParam("lastEventId") String lastEventIdQuery) {
        Caller caller = Requests.caller(request);
        UUID jobId = Requests.jobId(id);
        Long lastEventId = lastEventId(lastEventIdHeader != null ? lastEventIdHeader : lastEventIdQuery);
        return jobStream.open(caller.workspace(), jobId, lastEventId);
    }

    private static Long lastEventId(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(value.strip());
            if (id < 0) {
                throw Requests.invalid("Last-Event-ID", "must be an event id this stream sent");
            }
            return id;
        } catch (NumberFormatException e) {
            throw Requests.invalid("Last-Event-ID", "must be an event id this stream sent");
        }
    }

    /** The job, or a 404 for one of another workspace or none at all. */
    private Uni<Job> exists(Caller caller, UUID jobId) {
        return reads.require(caller, jobId);
    }

    private static Bodies.LogLine logLine(JobEvent event) {
        JsonObject data = new JsonObject(event.dataJson());
        return new Bodies.LogLine(event.seq(), event.at(), data.getString("level"), data.getString("message"));
    }

    private static long parseLong(String text, String field) {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw Requests.invalid(field, "is not a cursor this API returned");
            }
            return value;
        } catch (NumberFormatException e) {
            throw Requests.invalid(field, "is not a cursor this API returned");
        }
    }
}
