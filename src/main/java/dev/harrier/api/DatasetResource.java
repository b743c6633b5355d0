package dev.harrier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.api.auth.Caller;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.dataset.DatasetStore;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.JobDocument;
import dev.harrier.document.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A workspace's datasets: their counts and last sync, their records by state and version, deleting one. */
@Path("/api/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets", description = "Records kept by the sync kind and scrapes with a dataset: what is new, changed and gone")
public class DatasetResource {

    private static final Set<String> STATES = Set.of("active", "expired");

    public record Counts(long active, long expired) {
    }

    public record LastSync(String jobId, Instant at, @JsonProperty("new") Integer newRecords, Integer changed, Integer expired) {
    }

    public record Dataset(String name, List<String> key, Counts counts, @Schema(nullable = true) LastSync lastSync) {
    }

    public record Datasets(List<Dataset> datasets) {
    }

    public record Record(@Schema(implementation = Object[].class, description = "The values of the key fields, in the dataset's order") JsonNode key,
                         @Schema(implementation = Map.class,
                                 description = "The record as its last sync held it") JsonNode data,
                         String state, long version, Instant firstSeenAt, Instant lastSeenAt,
                         Instant changedAt, @Schema(nullable = true) Instant expiredAt) {
    }

    public record Records(List<Record> records,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String nextCursor,
                          @Schema(description = "The dataset's version: ask ?afterVersion= with it next time") long version) {
    }

    private final DatasetStore store;

    public DatasetResource(DatasetStore store) {
        this.store = store;
    }

    @GET
    @Operation(operationId = "listDatasets", summary = "The workspace's datasets, with their counts and last sync")
    @APIResponse(responseCode = "200", description = "The datasets, by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Datasets.class)))
    public Uni<Datasets> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.workspaceReader(request);
        return store.list(caller.workspace()).map(all -> new Datasets(all.stream().map(d -> new Dataset(d.name(), d.key(),
                new Counts(d.active(), d.expired()), d.lastSyncAt() == null ? null
                        : new LastSync(d.lastSyncJobId() == null ? null : d.lastSyncJobId().toString(), d.lastSyncAt(),
                                d.lastSyncNew(), d.lastSyncChanged(), d.lastSyncExpired()))).toList()));
    }

    @GET
    @Path("/{name}/records")
    @Operation(operationId = "listDatasetRecords", summary = "A dataset's records, newest change first",
            description = "Filters: state (active or expired), changedSince (an instant), afterVersion (what became new, "
                    + "changed or expired after it). Pages of limit (1-500, 100 by default).")
    @APIResponse(responseCode = "200", description = "A page of records",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Records.class)))
    public Uni<Records> records(@Context ContainerRequestContext request, @PathParam("name") String name,
                                @QueryParam("state") String state, @QueryParam("changedSince") String changedSince,
                                @QueryParam("afterVersion") @Parameter(schema = @Schema(type = SchemaType.INTEGER)) String afterVersion,
                                @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER)) String limit,
                                @QueryParam("cursor") String cursor) {
        Caller caller = Requests.workspaceReader(request);
        if (!DatasetNames.valid(name)) {
            throw new ApiProblem(Problem.notFound("No dataset " + name));
        }
        if (state != null && !state.isBlank() && !STATES.contains(state)) {
            throw Requests.invalid("state", "must be active or expired");
        }
        Instant since = instant("changedSince", changedSince);
        Long after = null;
        if (afterVersion != null && !afterVersion.isBlank()) {
            try {
                after = Long.parseLong(afterVersion.strip());
            } catch (NumberFormatException e) {
                throw Requests.invalid("afterVersion", "must be a whole number");
            }
        }
        Requests.text("cursor", cursor);
        int size = Requests.limit(limit, 100, 500);
        DatasetStore.Position position = position(cursor);
        String wanted = state == null || state.isBlank() ? null : state;
        Long afterV = after;
        return store.version(caller.workspace(), name).flatMap(version -> {
            if (version.isEmpty()) {
                throw new ApiProblem(Problem.notFound("No dataset " + name));
            }
            return store.records(caller.workspace(), name, wanted, since, afterV, position, size + 1).map(found -> {
                List<DatasetStore.Record> page = found.size() > size ? found.subList(0, size) : found;
                String next = null;
                if (found.size() > size) {
                    DatasetStore.Record last = page.get(page.size() - 1);
                    next = Requests.encodeCursor(last.changedAt() + "|" + last.keyJson());
                }
                return new Records(page.stream().map(r -> new Record(JobDocument.raw(r.keyJson()), JobDocument.raw(r.dataJson()),
                        r.state(), r.version(), r.firstSeenAt(), r.lastSeenAt(), r.changedAt(), r.expiredAt())).toList(),
                        next, version.get());
            });
        });
    }

    @DELETE
    @Path("/{name}")
    @Operation(operationId = "deleteDataset", summary = "Delete a dataset and its records")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.withKey(request);
        if (!DatasetNames.valid(name)) {
            throw new ApiProblem(Problem.notFound("No dataset " + name));
        }
        return store.delete(caller.workspace(), name).map(deleted -> {
            if (!deleted) {
                throw new ApiProblem(Problem.notFound("No dataset " + name));
            }
            return Response.noContent().build();
        });
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw Requests.invalid(field, "must be an instant like 2026-01-01T00:00:00Z");
        }
    }

    private static DatasetStore.Position position(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        String plain = Requests.decodeCursor(cursor);
        int bar = plain.indexOf('|');
        try {
            return new DatasetStore.Position(Instant.parse(plain.substring(0, bar)), plain.substring(bar + 1));
        } catch (RuntimeException e) {
            throw Requests.invalid("cursor", "is not a cursor this API returned");
        }
    }
}
