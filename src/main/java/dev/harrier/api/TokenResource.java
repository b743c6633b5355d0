package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.api.auth.ReadTokens;
import dev.harrier.config.HarrierConfig;
import dev.harrier.queue.InputChecks;
import dev.harrier.queue.JobSubmitter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Workspace tokens: signed, expiring read tokens for a dashboard (the whole workspace) or an end
 * user's page (only the jobs carrying all of its {@code tags}, their children and streams).
 */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Enqueue, read, list, cancel and retry jobs")
public class TokenResource {

    /** {@code tags}: only jobs carrying all of them; absent or empty, the whole workspace. */
    public record WorkspaceTokenRequest(Integer ttlSeconds, List<String> tags) {
    }

    private final ReadTokens tokens;
    private final RequestJson json;
    private final HarrierConfig config;

    public TokenResource(ReadTokens tokens, RequestJson json, HarrierConfig config) {
        this.tokens = tokens;
        this.json = json;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createWorkspaceToken", summary = "Issue a read token for the workspace",
            description = "Reads every GET endpoint and stream of the workspace but secrets, and acts on nothing. With tags, "
                    + "only the jobs carrying all of them and their descendants: GET /jobs, /jobs/{id} (and its events, logs, "
                    + "items) and the workspace stream.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkspaceTokenRequest.class)))
    @APIResponse(responseCode = "201", description = "The token and when it expires",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Bodies.Token.class)))
    public Response create(@Context ContainerRequestContext request, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        WorkspaceTokenRequest wanted = body == null || body.length == 0 ? new WorkspaceTokenRequest(null, null)
                : json.read(body, WorkspaceTokenRequest.class);
        if (wanted == null) {
            wanted = new WorkspaceTokenRequest(null, null);
        }
        long ttl = Requests.tokenTtl(wanted.ttlSeconds(), config.api().maxTokenTtl());
        List<String> tags = wanted.tags() == null ? List.of() : wanted.tags();
        if (tags.size() > JobSubmitter.MAX_TAGS) {
            throw Requests.invalid("tags", "at most " + JobSubmitter.MAX_TAGS + " tags");
        }
        for (int t = 0; t < tags.size(); t++) {
            String tag = tags.get(t);
            if (tag == null || tag.isEmpty() || tag.length() > JobSubmitter.MAX_TEXT) {
                throw Requests.invalid("tags[" + t + "]", "must be 1 to " + JobSubmitter.MAX_TEXT + " characters");
            }
            String problem = InputChecks.textProblem(tag);
            if (problem != null) {
                throw Requests.invalid("tags[" + t + "]", problem);
            }
        }
        ReadTokens.Issued issued = tokens.issueWorkspace(caller.workspace(), tags, ttl);
        return Response.status(201).entity(new Bodies.Token(issued.token(), issued.expiresAt())).build();
    }
}
