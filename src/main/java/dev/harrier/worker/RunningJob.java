package dev.harrier.worker;

import dev.harrier.queue.ClaimedJob;
import dev.harrier.time.Ticker;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** A job this instance is running, and the one-shot signal that stops it early. */
final class RunningJob {

    /** Why an attempt was stopped before its handler finished. */
    enum StopReason {
        /** A client cancelled the job: it ends as cancelled. */
        CANCELLED,
        /** The attempt ran out of time: it fails, and is retried if attempts remain. */
        TIMED_OUT,
        /** This instance shuts down: the job is handed back to pending, its attempt not counted. */
        SHUTDOWN,
        /** This instance no longer holds the lease (it was rescued elsewhere): write nothing. */
        LEASE_LOST
    }

    private final ClaimedJob job;
    private final AtomicReference<StopReason> reason = new AtomicReference<>();
    private final List<Consumer<StopReason>> listeners = new ArrayList<>(1);
    private final Ticker ticker;
    private volatile long startedNanos;
    private volatile Duration timeout;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    // Until when this instance surely holds the lease: the claim or the last renewal that
    // confirmed it, plus the lease duration, both counted from before the statement was sent.
    private volatile long leaseUntilNanos;

    /** {@code leaseUntilNanos} is on {@code ticker}'s scale, as every nanosecond time of the attempt. */
    RunningJob(ClaimedJob job, Ticker ticker, long leaseUntilNanos) {
        this.job = job;
        this.ticker = ticker;
        this.startedNanos = ticker.nanoTime();
        this.leaseUntilNanos = leaseUntilNanos;
    }

    /** Its handler starts now (it may have waited in its producer's local supply since the claim). */
    void begin() {
        startedNanos = ticker.nanoTime();
    }

    /** A renewal sent at {@code sentNanos} confirmed the lease for {@code lease} more. */
    void leaseRenewed(long sentNanos, Duration lease) {
        long until = sentNanos + lease.toNanos();
        if (until - leaseUntilNanos > 0) {
            leaseUntilNanos = until;
        }
    }

    /** Whether the lease surely still holds at {@code nowNanos} plus {@code margin}. */
    boolean leaseHolds(long nowNanos, Duration margin) {
        return leaseUntilNanos - nowNanos - margin.toNanos() > 0 && reason.get() != StopReason.LEASE_LOST;
    }

    /** How long the attempt has run on this instance. */
    Duration elapsed() {
        return Duration.ofNanos(ticker.nanoTime() - startedNanos);
    }

    ClaimedJob job() {
        return job;
    }

    /** The attempt may run for {@code limit}; the engine's sweep stops it after (see {@link #overdue}). */
    void limitTo(Duration limit) {
        timeout = limit;
        deadlineNanos = startedNanos + limit.toNanos();
    }

    Duration timeout() {
        return timeout;
    }

    boolean overdue(long nowNanos) {
        return nowNanos - deadlineNanos > 0 && reason.get() == null;
    }

    /** Stops the attempt for {@code why}; only the first reason counts. */
    boolean stop(StopReason why) {
        if (!reason.compareAndSet(null, why)) {
            return false;
        }
        List<Consumer<StopReason>> toCall;
        synchronized (listeners) {
            toCall = List.copyOf(listeners);
            listeners.clear();
        }
        toCall.forEach(listener -> listener.accept(why));
        return true;
    }

    /**
     * Calls {@code listener} once when the attempt is stopped (at once if it already is); the
     * returned handle removes it (the engine does this once per attempt: it costs no future and
     * no exception).
     */
    Runnable onStop(Consumer<StopReason> listener) {
        StopReason already;
        synchronized (listeners) {
            already = reason.get();
            if (already == null) {
                listeners.add(listener);
            }
        }
        if (already != null) {
            listener.accept(already);
            return () -> { };
        }
        return () -> {
            synchronized (listeners) {
                listeners.remove(listener);
            }
        };
    }

    /** Null while the attempt has not been stopped. */
    StopReason reason() {
        return reason.get();
    }

    /** Emits the reason once stopped. Cancelling a subscription only removes its listener. */
    Uni<StopReason> whenStopped() {
        return Uni.createFrom().emitter(emitter -> emitter.onTermination(onStop(emitter::complete)));
    }
}
