package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.api.auth.Caller;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobIds;
import dev.harrier.queue.JobStatus;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /api/v1/jobs/retry}: runs again every failed or cancelled job that matches the list
 * filters, as {@code POST /jobs/{id}/retry} would, {@value JobActions#MAX_RETRIED} at most a call
 * (call again for more: {@code retried} below that says none are left). A parent that has ended
 * is not reopened by its children's retries.
 */
@Path("/api/v1/jobs/retry")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs")
public class RetryResource {

    /** The list filters; {@code status} of failed and cancelled only (default both), {@code tag} one or many. */
    public record Filter(@Schema(description = "A parent's id: its children") String parent,
                         @Schema(description = "failed, cancelled, or both (the default)") List<String> status,
                         String kind, String queue,
                         @Schema(oneOf = {String.class, String[].class}, description = "Jobs carrying all of these tags") JsonNode tag) {
    }

    public record Retried(int retried) {
    }

    private static final Set<JobStatus> RETRYABLE = EnumSet.of(JobStatus.FAILED, JobStatus.CANCELLED);

    private final JobActions actions;
    private final RequestJson json;

    public RetryResource(JobActions actions, RequestJson json) {
        this.actions = actions;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Filter.class)))
    @Operation(operationId = "retryJobs", summary = "Retry every failed or cancelled job matching the filters",
            description = "At most 10,000 a call; a finished parent is not reopened.")
    @APIResponse(responseCode = "200", description = "How many jobs are pending again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Retried.class)))
    public Uni<Retried> retry(@Context ContainerRequestContext request, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        Filter filter = body == null || body.length == 0 ? new Filter(null, null, null, null, null) : json.read(body, Filter.class);
        UUID parent = filter.parent() == null ? null
                : JobIds.parse(filter.parent()).orElseThrow(() -> Requests.invalid("parent", "is not a job id"));
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        for (String value : filter.status() == null ? List.<String>of() : filter.status()) {
            JobStatus status;
            try {
                status = value == null ? null : JobStatus.fromWire(value.strip());
            } catch (IllegalArgumentException e) {
                status = null;
            }
            if (status == null || !RETRYABLE.contains(status)) {
                throw Requests.invalid("status", "only failed and cancelled jobs are retried, not '" + value + "'");
            }
            statuses.add(status);
        }
        Requests.text("kind", filter.kind());
        Requests.text("queue", filter.queue());
        List<String> tags = tags(filter.tag());
        return actions.retryMatching(caller.workspace(), statuses.isEmpty() ? RETRYABLE : statuses, parent,
                        blank(filter.kind()), blank(filter.queue()), tags)
                .map(Retried::new);
    }

    private static List<String> tags(JsonNode tag) {
        List<String> tags = new ArrayList<>();
        if (tag == null || tag.isNull()) {
            return tags;
        }
        if (tag.isTextual()) {
            tags.add(tag.textValue());
        } else if (tag.isArray()) {
            for (JsonNode t : tag) {
                if (!t.isTextual()) {
                    throw Requests.invalid("tag", "must be a text or a list of texts");
                }
                tags.add(t.textValue());
            }
        } else {
            throw Requests.invalid("tag", "must be a text or a list of texts");
        }
        tags.forEach(t -> Requests.text("tag", t));
        return tags;
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
