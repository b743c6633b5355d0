package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/**
 * The one way the resources read a job for a caller: of the caller's workspace, and for a
 * workspace token with tags only when the job or an ancestor carries them all. Anything else is
 * simply not found, as a job of another workspace is.
 */
@ApplicationScoped
public class JobReads {

    private final JobActions actions;

    public JobReads(JobActions actions) {
        this.actions = actions;
    }

    public Uni<Optional<Job>> find(Caller caller, UUID id) {
        return actions.get(caller.workspace(), id)
                .flatMap(job -> {
                    if (job.isEmpty() || !caller.taggedOnly() || job.get().tags().containsAll(caller.tags())) {
                        return Uni.createFrom().item(job);
                    }
                    return actions.lineCarriesTags(id, caller.tags())
                            .map(carries -> carries ? job : Optional.<Job>empty());
                });
    }

    /** The job, or a 404 problem. */
    public Uni<Job> require(Caller caller, UUID id) {
        return find(caller, id)
                .map(job -> job.orElseThrow(() -> new ApiProblem(Problem.notFound("No job " + id))));
    }
}
