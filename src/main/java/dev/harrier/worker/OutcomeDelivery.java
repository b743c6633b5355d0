package dev.harrier.worker;

import dev.harrier.handler.ErrorTypes;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.sql.GroupCommit;
import dev.harrier.sql.TransientFailures;
import dev.harrier.time.Backoff;
import dev.harrier.time.Ticker;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Writes the outcome of a finished attempt, batched with its siblings ({@link GroupCommit}), and
 * rides out database blips: a write that fails for a transient reason (a dropped connection, a
 * restarting server, a full pool, a statement that does not answer within {@link #WRITE_TIMEOUT})
 * is tried again alone, with backoff, while this instance surely holds the job's lease and for at
 * most one lease duration. Dropping it at once would let the lease expire and the job be rescued
 * and run again: every blip would repeat side effects (webhooks sent twice). Retrying is safe
 * because every write is fenced by lease owner and attempt: if a write that seemed to fail had
 * committed, its retry changes nothing (and reports the outcome as not written).
 *
 * <p>An outcome that the database refuses for what it holds (a result it cannot store) would fail
 * its whole batch on every try: every outcome of such a batch is written alone, and one refused
 * again fails its job for good with the database's reason, so that one bad result never holds back
 * its siblings. A retry is always a write of its own outcome only, for the same reason.
 */
final class OutcomeDelivery {

    private static final Logger LOG = Logger.getLogger(OutcomeDelivery.class);
    /** Between the writes of one outcome: 100 ms doubling up to 2 s, half of it jittered. */
    private static final Backoff RETRIES = Backoff.doubling(Duration.ofMillis(100), Duration.ofSeconds(2));
    /** A batch statement that has not answered by then is taken for lost (a frozen server): its outcomes are retried. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Outcome statements in flight at once; the producers let this many full batches wait. */
    static final int STATEMENTS = 2;

    private final GroupCommit<Outcome, Boolean> batches;
    private final OutcomeWriter writer;
    private final String owner;
    private final Duration margin;
    private final Duration budget;
    private final Ticker ticker;

    OutcomeDelivery(OutcomeWriter writer, EngineSettings settings, Vertx vertx, Ticker ticker) {
        this.writer = writer;
        this.ticker = ticker;
        this.owner = settings.instanceId();
        this.batches = new GroupCommit<>(
                batch -> writer.write(batch, owner)
                        .ifNoItem().after(WRITE_TIMEOUT).failWith(() -> new TimeoutException(
                                "the outcome statement did not answer within " + WRITE_TIMEOUT.toSeconds() + " s"))
                        .map(written -> batch.stream().map(o -> written.contains(o.jobId())).toList()),
                settings.completionBatch(), STATEMENTS, vertx::runOnContext);
        // The lease started when the claim statement ran, a little before the attempt was
        // dispatched; the margin covers that and the time the last retry takes.
        this.margin = settings.leaseDuration().dividedBy(5).compareTo(Duration.ofSeconds(1)) > 0
                ? settings.leaseDuration().dividedBy(5) : Duration.ofSeconds(1);
        // The heartbeat renews the leases of outcomes being retried, so the lease alone is no
        // bound: a database that keeps failing for longer than this gets the job rescued instead.
        this.budget = settings.leaseDuration();
    }

    /** Emits whether the outcome was written (false: the lease was no longer this instance's). */
    Uni<Boolean> deliver(RunningJob attempt, Outcome outcome) {
        long deadline = ticker.nanoTime() + budget.toNanos();
        return batches.submit(outcome)
                .onFailure().recoverWithUni(failure -> TransientFailures.isTransient(failure)
                        ? retry(attempt, outcome, failure, 1, deadline)
                        : alone(attempt, outcome, deadline));
    }

    private Uni<Boolean> retry(RunningJob attempt, Outcome outcome, Throwable failure, int retry, long deadline) {
        Duration delay = RETRIES.delayAfter(retry);
        long at = ticker.nanoTime() + delay.toNanos();
        if (!TransientFailures.isTransient(failure) || at - deadline > 0 || !attempt.leaseHolds(at, margin)) {
            return Uni.createFrom().failure(failure);
        }
        LOG.debugf("job %s: writing the outcome failed (%s); trying again in %d ms", outcome.jobId(),
                failure.getMessage(), delay.toMillis());
        return Uni.createFrom().voidItem()
                .onItem().delayIt().by(delay)
                .flatMap(x -> writeAlone(outcome))
                .onFailure().recoverWithUni(again -> TransientFailures.isTransient(again)
                        ? retry(attempt, outcome, again, retry + 1, deadline)
                        : refused(outcome, again));
    }

    /** The batch was refused for what it holds, maybe another outcome's: this one alone. */
    private Uni<Boolean> alone(RunningJob attempt, Outcome outcome, long deadline) {
        return writeAlone(outcome)
                .onFailure().recoverWithUni(failure -> TransientFailures.isTransient(failure)
                        ? retry(attempt, outcome, failure, 1, deadline)
                        : refused(outcome, failure));
    }

    /** Refused on its own: a result the database cannot store fails its job for good, with the reason. */
    private Uni<Boolean> refused(Outcome outcome, Throwable failure) {
        if (outcome.resultJson() == null) {
            return Uni.createFrom().failure(failure);
        }
        LOG.warnf("job %s: the database refused its result (%s); the job fails", outcome.jobId(), failure.getMessage());
        Outcome failed = new Outcome(outcome.jobId(), outcome.attempt(), JobStatus.FAILED,
                null, null, "the result could not be stored: " + failure.getMessage(), ErrorTypes.INVALID_RESULT);
        return writeAlone(failed);
    }

    private Uni<Boolean> writeAlone(Outcome outcome) {
        return writer.write(List.of(outcome), owner)
                .ifNoItem().after(WRITE_TIMEOUT).failWith(() -> new TimeoutException(
                        "the outcome statement did not answer within " + WRITE_TIMEOUT.toSeconds() + " s"))
                .map(written -> written.contains(outcome.jobId()));
    }
}
