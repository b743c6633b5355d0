package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.document.Problem;
import dev.harrier.queue.JobIds;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks that a job exists in the caller's workspace before its event stream starts: once the
 * {@code text/event-stream} response has begun, a 404 can no longer be sent.
 */
public class StreamGuard {

    private static final Pattern JOB_EVENTS = Pattern.compile("/api/v1/jobs/([^/]+)/events/?");

    private final JobReads reads;

    public StreamGuard(JobReads reads) {
        this.reads = reads;
    }

    @ServerRequestFilter(priority = Priorities.USER + 10)
    public Uni<Response> requireJob(ContainerRequestContext request) {
        Matcher matcher = JOB_EVENTS.matcher(request.getUriInfo().getPath());
        Caller caller = (Caller) request.getProperty(Caller.PROPERTY);
        if (!matcher.matches() || caller == null || !"GET".equals(request.getMethod())) {
            return Uni.createFrom().nullItem();
        }
        UUID id = JobIds.parse(matcher.group(1)).orElse(null);
        if (id == null) {
            return Uni.createFrom().item(Problem.notFound("No job " + matcher.group(1)).response());
        }
        return reads.find(caller, id)
                .map(job -> job.isPresent() ? null : Problem.notFound("No job " + id).response());
    }
}
