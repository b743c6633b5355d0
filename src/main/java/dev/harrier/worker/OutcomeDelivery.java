package dev.harrier.worker;

import dev.harrier.queue.JobStatus;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.TransientFailures;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes the outcome of a finished attempt, batched with its siblings ({@link GroupCommit}), and
 * rides out database blips: a write that fails for a transient reason (a dropped connection, a
 * restarting server, a full pool) is tried again, with backoff, for as long as this instance
 * surely holds the job's lease. Dropping it instead would let the lease expire and the job be
 * rescued and run again: every blip would repeat side effects (webhooks sent twice). Retrying is
 * safe because every write is fenced by lease owner and attempt: if a write that seemed to fail
 * had committed, its retry changes nothing.
 *
 * <p>An outcome that the database refuses for what it holds (a result it cannot store) would fail
 * its whole batch on every try: it is written alone, and if it is refused again the attempt fails
 * permanently with the database's reason, so that one bad result never holds back its siblings.
 */
final class OutcomeDelivery {

    private static final Logger LOG = Logger.getLogger(OutcomeDelivery.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(2);

    private final GroupCommit<Outcome, Boolean> batches;
    private final OutcomeWriter writer;
    private final String owner;
    private final Duration margin;

    OutcomeDelivery(OutcomeWriter writer, EngineSettings settings, Vertx vertx) {
        this.writer = writer;
        this.owner = settings.instanceId();
        this.batches = new GroupCommit<>(
                batch -> writer.write(batch, owner)
                        .map(written -> batch.stream().map(o -> written.contains(o.jobId())).toList()),
                settings.completionBatch(), 2, vertx::runOnContext);
        // The lease started when the claim statement ran, a little before the attempt was
        // dispatched; the margin covers that and the time the last retry takes.
        this.margin = settings.leaseDuration().dividedBy(5).compareTo(Duration.ofSeconds(1)) > 0
                ? settings.leaseDuration().dividedBy(5) : Duration.ofSeconds(1);
    }

    /** Emits whether the outcome was written (false: the lease was no longer this instance's). */
    Uni<Boolean> deliver(RunningJob attempt, Outcome outcome) {
        return batches.submit(outcome)
                .onFailure(failure -> !TransientFailures.isTransient(failure))
                .recoverWithUni(failure -> alone(outcome, failure))
                .onFailure().recoverWithUni(failure -> retry(attempt, outcome, failure, FIRST_RETRY));
    }

    private Uni<Boolean> retry(RunningJob attempt, Outcome outcome, Throwable failure, Duration delay) {
        if (!TransientFailures.isTransient(failure) || !attempt.leaseHolds(System.nanoTime() + delay.toNanos(), margin)) {
            return Uni.createFrom().failure(failure);
        }
        LOG.debugf("job %s: writing the outcome failed (%s); trying again in %d ms", outcome.jobId(),
                failure.getMessage(), delay.toMillis());
        Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
        return Uni.createFrom().voidItem()
                .onItem().delayIt().by(delay)
                .flatMap(x -> batches.submit(outcome))
                .onFailure().recoverWithUni(again -> retry(attempt, outcome, again, next));
    }

    /** The batch was refused for what it holds: this outcome alone, or a permanent failure in its place. */
    private Uni<Boolean> alone(Outcome outcome, Throwable batchFailure) {
        return writer.write(List.of(outcome), owner)
                .map(written -> written.contains(outcome.jobId()))
                .onFailure(failure -> !TransientFailures.isTransient(failure) && outcome.resultJson() != null)
                .recoverWithUni(refused -> {
                    LOG.warnf("job %s: the database refused its result (%s); the attempt fails", outcome.jobId(),
                            refused.getMessage());
                    Outcome failed = new Outcome(outcome.jobId(), outcome.attempt(), JobStatus.FAILED,
                            null, null, "the result could not be stored: " + refused.getMessage(), "invalid_result");
                    return writer.write(List.of(failed), owner).map(written -> written.contains(outcome.jobId()));
                });
    }
}
