package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.stream.WorkspaceFeed;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Server-Sent Events of a workspace's status changes (a job's own stream is in {@link JobDetailsResource}). */
@Path("/api/v1")
@Tag(name = "Events", description = "The workspace stream: every job's status changes, live")
public class EventsResource {

    private final WorkspaceFeed workspaceFeed;

    public EventsResource(WorkspaceFeed workspaceFeed) {
        this.workspaceFeed = workspaceFeed;
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(responseCode = "200", description = "Server-Sent Events: status (JobDocument), reset (ResetEvent); see x-events",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @Operation(operationId = "streamWorkspaceEvents", summary = "Follow every job status change of the workspace",
            description = "Filter by queue and kind; events=status or events=counts for one kind of event (both by default). "
                    + "Every 2 s a counts event (CountsEvent) carries each queue's counts by status, its oldest pending age and the "
                    + "jobs finished since the previous one by outcome (not sent to a token with tags). A slow reader may miss intermediate statuses of a job, never its terminal one. "
                    + "A reader that accepts nothing for three keep-alive periods while changes wait is hung up on. A stream opened "
                    + "with Last-Event-ID (a reconnect) starts with a reset event: re-read the jobs you show.")
    public Multi<OutboundSseEvent> workspace(@Context ContainerRequestContext request, @QueryParam("queue") String queue,
                                             @QueryParam("kind") String kind,
                                             @QueryParam("events") String events,
                                             @HeaderParam("Last-Event-ID") String lastEventIdHeader,
                                             @QueryParam("lastEventId") String lastEventIdQuery,
                                             @Context HttpServerResponse response) {
        Caller caller = Requests.jobReader(request);
        Requests.text("queue", queue);
        Requests.text("kind", kind);
        boolean reconnected = lastEventIdHeader != null || lastEventIdQuery != null;
        Set<String> wanted = events == null || events.isBlank() ? Set.of("status", "counts")
                : new HashSet<>(Arrays.asList(events.strip().split("\\s*,\\s*")));
        if (!Set.of("status", "counts").containsAll(wanted)) {
            throw Requests.invalid("events", "must be status, counts or both (status,counts)");
        }
        return workspaceFeed.open(caller.workspace(), blankToNull(queue), blankToNull(kind), caller.tags(), wanted, reconnected,
                response::close);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
