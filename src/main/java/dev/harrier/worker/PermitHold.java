package dev.harrier.worker;

import dev.harrier.queue.QueueHolds;
import dev.harrier.queue.QueueSettings;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A producer's hold on the permits of its queue's global concurrency: the permits as the database
 * last answered ({@link QueuePermits}), and the statements that renew them or hand them back
 * ({@link QueueHolds}; a claim's own answer comes through {@link #answered} too).
 */
final class PermitHold {

    private static final Logger LOG = Logger.getLogger(PermitHold.class);
    private final QueuePermits permits = new QueuePermits();
    private final QueueHolds holds;
    private final String owner;
    private final Duration lease;

    PermitHold(QueueHolds holds, String owner, Duration lease) {
        this.holds = holds;
        this.owner = owner;
        this.lease = lease;
    }

    QueuePermits permits() {
        return permits;
    }

    /** Nothing held any more: the queue lost its limit. */
    void release(QueueSettings queue) {
        permits.clear();
        holds.release(queue.workspace(), queue.name(), owner).subscribe().with(
                ok -> { }, failure -> LOG.warnf("handing back the permits of queue %s failed: %s", queue.key(), failure.getMessage()));
    }

    /**
     * The answer of a claim or hold sent at {@code sent}, the queue's settings being {@code now}. A
     * statement in flight when the queue lost its limit may have renewed the hold after
     * {@link #release} deleted it: that hold goes back too, else it would count against the other
     * instances until it expired.
     */
    void answered(QueueSettings now, QueueHolds.Held held, long sent) {
        if (now.concurrency() == null) {
            release(now);
        } else {
            permits.held(held, sent, lease);
        }
    }

    /** Renews the hold, or hands back what {@code ask} no longer needs: the statement's answer (not yet {@link #answered}). */
    Uni<QueueHolds.Held> renew(QueueSettings queue, QueueHolds.Ask ask) {
        return holds.hold(queue.workspace(), queue.name(), owner, lease, ask);
    }
}
