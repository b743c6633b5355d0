package dev.harrier.worker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many jobs a producer claims ahead of its free slots, by Little's law: the jobs its handlers
 * finish during one claim's round trip, doubled, so that a slot that frees finds a job waiting
 * rather than a claim to wait for; never more than one claim batch. Short jobs are so claimed in
 * big batches, and long ones not hoarded (one that takes a second, with a round trip of a few
 * milliseconds, makes no supply at all). Both figures are moving averages, updated at each claim.
 */
class SupplySize {

    private static final double WEIGHT = 0.3;

    private final int max;
    private final AtomicLong returned = new AtomicLong();
    private long lastClaimNanos = -1;
    private volatile double perNano;
    private volatile double roundTripNanos;

    /** At most {@code max} ahead (zero: no supply, claims for the free slots only). */
    SupplySize(int max) {
        this.max = max;
    }

    /** A handler returned. */
    void handlerReturned() {
        returned.incrementAndGet();
    }

    /** A claim is sent at {@code nowNanos} (one at a time). */
    void claimSent(long nowNanos) {
        long last = lastClaimNanos;
        lastClaimNanos = nowNanos;
        if (last < 0 || nowNanos <= last) {
            return;
        }
        double rate = returned.getAndSet(0) / (double) (nowNanos - last);
        perNano = perNano == 0 ? rate : perNano + WEIGHT * (rate - perNano);
    }

    /** The claim's answer came {@code tookNanos} after it was sent. */
    void claimAnswered(long tookNanos) {
        roundTripNanos = roundTripNanos == 0 ? tookNanos : roundTripNanos + WEIGHT * (tookNanos - roundTripNanos);
    }

    /** The jobs to hold ahead of the free slots now. */
    int target() {
        return (int) Math.min(max, Math.round(2 * perNano * roundTripNanos));
    }
}
