package dev.harrier.worker;

import dev.harrier.queue.QueueHolds;
import java.time.Duration;

/**
 * The permits of a limited queue's global concurrency that this instance holds, as its producer
 * last heard from the database ({@link QueueHolds}): as many of its handlers may run at once, no
 * more than its even share while other instances wait, and none once the hold may have lapsed (its
 * renewals failed: another instance may have been granted them).
 */
final class QueuePermits {

    private int allowed;
    private int share = Integer.MAX_VALUE;
    private long validUntil = Long.MIN_VALUE;

    /** A hold's answer, to a statement sent at {@code sentNanos}: valid for three quarters of the lease from then. */
    synchronized void held(QueueHolds.Held held, long sentNanos, Duration lease) {
        allowed = held.granted();
        share = held.share();
        validUntil = sentNanos + lease.toNanos() * 3 / 4;
    }

    /** Handed back, or the queue lost its limit: nothing held. */
    synchronized void clear() {
        allowed = 0;
        share = Integer.MAX_VALUE;
        validUntil = Long.MIN_VALUE;
    }

    /** Handlers that may run at once now. */
    synchronized int usable(long nowNanos) {
        return nowNanos < validUntil ? Math.min(allowed, share) : 0;
    }

    /** Permits granted (the database counts them against the others until handed back). */
    synchronized int allowed() {
        return allowed;
    }

    /**
     * The permits to keep when some should go back now, else -1: those above the share while
     * others wait, as their handlers return ({@code running}); once the queue no longer drains,
     * those its {@code running} and {@code supplied} jobs do not need.
     */
    synchronized int toKeep(int running, int supplied, boolean draining) {
        int jobs = running + supplied;
        return allowed > share && allowed > running || !draining && allowed > jobs ? jobs : -1;
    }
}
