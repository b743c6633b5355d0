package dev.harrier.worker;

import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.Outcome;
import dev.harrier.worker.RunningJob.StopReason;
import io.smallrye.mutiny.Uni;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Runs one claimed attempt to its end: the handler ({@link JobRunner}), then its outcome, written
 * with its siblings' ({@link OutcomeDelivery}: one batch for all the queues of the instance), then
 * the meters. The producer that claimed the attempt frees its slot when the handler has returned,
 * and holds the attempt until the returned {@code Uni} ends, which it does whatever happened: an outcome that could not be written
 * while the lease held is logged, and the job left to the rescue.
 */
class Attempts {

    private static final Logger LOG = Logger.getLogger(Attempts.class);

    private final JobRunner runner;
    private final OutcomeDelivery outcomes;
    private final EngineMetrics metrics;
    private volatile BiConsumer<ClaimedJob, JobStatus> listener = (job, status) -> { };

    Attempts(JobRunner runner, OutcomeDelivery outcomes, EngineMetrics metrics) {
        this.runner = runner;
        this.outcomes = outcomes;
        this.metrics = metrics;
    }

    /** Runs the attempt; {@code handlerReturned} runs when its handler has returned, before its outcome is written. */
    Uni<Void> run(RunningJob attempt, Runnable handlerReturned) {
        metrics.started(attempt.job());
        return runner.run(attempt)
                .invoke(outcome -> handlerReturned.run())
                .flatMap(outcome -> outcomes.deliver(attempt, outcome)
                        .invoke(written -> recordOutcome(attempt, outcome, written)))
                .onFailure().invoke(failure -> LOG.errorf("the outcome of job %s could not be written while its lease "
                        + "held (%s); it will be rescued", attempt.job().id(), failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Told of every outcome written (run once counts them). */
    void listen(BiConsumer<ClaimedJob, JobStatus> onOutcome) {
        listener = onOutcome;
    }

    private void recordOutcome(RunningJob attempt, Outcome outcome, boolean written) {
        if (written) {
            listener.accept(attempt.job(), outcome.status());
        }
        if (!written && attempt.reason() != StopReason.LEASE_LOST) {
            LOG.warnf("job %s: outcome %s refused, this instance no longer holds its lease", attempt.job().id(),
                    outcome.status().wire());
        }
        metrics.finished(attempt.job(), outcome.status(), written, attempt.elapsed());
    }
}
