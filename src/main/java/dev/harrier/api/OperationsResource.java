package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.JobDocument;
import dev.harrier.instance.Instance;
import dev.harrier.instance.InstanceRows;
import dev.harrier.queue.JobStats;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What operators asked SQL for: the live instances, and what finished lately by kind. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operations", description = "Instances sharing the database; job statistics by kind")
public class OperationsResource {

    private static final Pattern SPAN = Pattern.compile("(\\d{1,6})([mhd])");

    public record Instances(List<Instance> instances) {
    }

    public record Stats(Instant since, List<JobStats.KindStats> kinds, List<JobDocument> slowest) {
    }

    private final InstanceRows instances;
    private final JobStats stats;
    private final HarrierConfig config;
    private final Clock clock;

    public OperationsResource(InstanceRows instances, JobStats stats, HarrierConfig config, Clock clock) {
        this.instances = instances;
        this.stats = stats;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Path("/instances")
    @Operation(operationId = "listInstances", summary = "The live instances sharing the database",
            description = "Those whose heartbeat is younger than three heartbeat intervals; worker false for an API-only instance, "
                    + "leader true for the one running maintenance, running the jobs it runs now.")
    @APIResponse(responseCode = "200", description = "The instances, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Instances.class)))
    public Uni<Instances> instances(@Context ContainerRequestContext request) {
        Requests.workspaceReader(request);
        return instances.live(config.worker().heartbeatInterval().multipliedBy(3)).map(Instances::new);
    }

    @GET
    @Path("/stats")
    @Operation(operationId = "getStats", summary = "What finished in the workspace since a time, by kind",
            description = "since: 15m, 24h, 7d or an ISO-8601 instant (default 24h), no longer ago than the shortest retention. "
                    + "retried counts jobs that needed more than one attempt; run and wait times are of their last attempt "
                    + "(started to finished; due to started); slowest holds the ten longest last attempts.")
    @APIResponse(responseCode = "200", description = "Counts and timings by kind, and the slowest jobs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Stats.class)))
    public Uni<Stats> stats(@Context ContainerRequestContext request, @QueryParam("since") String since) {
        Caller caller = Requests.workspaceReader(request);
        Instant from = since(since);
        return stats.byKind(caller.workspace(), from)
                .flatMap(kinds -> stats.slowest(caller.workspace(), from)
                        .map(jobs -> new Stats(from, kinds, jobs.stream().map(JobDocument::of).toList())));
    }

    private Instant since(String text) {
        Instant now = clock.instant();
        Instant from;
        String value = text == null || text.isBlank() ? "24h" : text.strip();
        Matcher span = SPAN.matcher(value);
        if (span.matches()) {
            long amount = Long.parseLong(span.group(1));
            Duration unit = switch (span.group(2)) {
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            from = now.minus(unit.multipliedBy(amount));
        } else {
            try {
                from = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw Requests.invalid("since", "must be a span such as 15m, 24h or 7d, or an ISO-8601 instant");
            }
        }
        Duration shortest = Stream.of(config.maintenance().completedRetention(), config.maintenance().failedRetention(),
                config.maintenance().cancelledRetention()).min(Duration::compareTo).orElseThrow();
        if (from.isBefore(now.minus(shortest))) {
            throw Requests.invalid("since", "must be no longer ago than the shortest retention, " + shortest.toDays() + " days"
                    + " (HARRIER_MAINTENANCE_*_RETENTION): older jobs may already be deleted");
        }
        return from;
    }
}
