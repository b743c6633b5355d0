package dev.harrier.limit;

import dev.harrier.time.Ticker;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One shared limit as this instance sees it: the request slots it reserved from the database and the
 * concurrency permits it holds there, handed to the requests that wait for them in order.
 *
 * <p>Slots are reserved in batches (as many as requests wait, at most a lease period ahead), so the
 * database sees a round trip per batch, not per request; a request waits for its slot's time. Permits
 * are leased: the instance asks for as many as it uses and waits for, renews while it holds any,
 * and hands back what it no longer needs. Neither part is ever taken from the database one request
 * at a time.
 */
final class SharedLimit {

    /** The database's side: {@link SharedLimits} runs these statements. */
    interface Backend {

        /** Reserves up to {@code wanted} slots; empty when the limit does not exist. */
        Uni<Slots> takeSlots(int wanted, Duration horizon);

        /** Declares the permits this instance needs and uses; the granted count, or empty when the limit is gone. */
        Uni<Hold> hold(int need, int inUse, Duration lease);
    }

    /**
     * Slots granted: the first {@code firstIn} seconds from the statement, the next ones {@code spacing}
     * apart; {@code rate} false when the limit has (no longer) a rate part.
     */
    record Slots(boolean found, boolean rate, int granted, double spacing, double firstIn) {
    }

    /**
     * Permits granted to this instance in all (null: the limit has no concurrency part), and its even
     * share while other instances wait: permits above it are let go as their requests end.
     */
    record Hold(boolean found, Integer granted, Integer share) {
    }

    /** A request that may go: release it once the request has ended. */
    interface Grant {
        void release();
    }

    /** Raised to waiters when the limit no longer exists. */
    static final class Gone extends RuntimeException {
        Gone(String message) {
            super(message);
        }
    }

    /** A slot is used at most this late, and less than half its spacing: see {@link #waitUntil}. */
    private static final long STALE_NANOS = Duration.ofMillis(50).toNanos();
    private static final long MIN_LATENESS_NANOS = Duration.ofMillis(1).toNanos();
    private static final long RETRY_NANOS = Duration.ofMillis(100).toNanos();

    private final String name;
    private final Backend backend;
    private final Ticker ticker;
    private final Duration lease;
    private final Timers timers;

    // Rate: reserved slot times (ticker nanos) and the requests waiting for one.
    private final ArrayDeque<Long> slots = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Long>> slotWaiters = new ArrayDeque<>();
    private boolean reserving;
    private boolean reserveScheduled;
    private boolean holdScheduled;
    private long spacingNanos = Long.MAX_VALUE;

    // Concurrency: permits granted by the database, those in use, and the requests waiting for one.
    private final ArrayDeque<CompletableFuture<Void>> permitWaiters = new ArrayDeque<>();
    private int allowed;
    private int share = Integer.MAX_VALUE;
    private int inUse;
    private long leaseValidUntil;
    private boolean holding;
    private boolean holdAgain;
    private boolean handBackScheduled;

    /** Schedules a task after a delay (Vert.x timers in the service). */
    interface Timers {
        void after(long nanos, Runnable task);
    }

    SharedLimit(String name, Backend backend, Ticker ticker, Duration lease, Timers timers) {
        this.name = name;
        this.backend = backend;
        this.ticker = ticker;
        this.lease = lease;
        this.timers = timers;
    }

    /** The state, for a debugger or a log line. */
    @Override
    public synchronized String toString() {
        return "slots=" + slots + " slotWaiters=" + slotWaiters.size() + " reserving=" + reserving + " permitWaiters=" + permitWaiters.size()
                + " allowed=" + allowed + " inUse=" + inUse + " holding=" + holding + " leaseLeftMs=" + (leaseValidUntil - ticker.nanoTime()) / 1_000_000;
    }

    /** Requests waiting for a slot or a permit on this instance. */
    synchronized int waiting() {
        return slotWaiters.size() + permitWaiters.size();
    }

    /** Waits for a permit (when the limit has a concurrency part), then for a slot (when it has a rate). */
    Uni<Grant> acquire(Limit limit) {
        Uni<Void> permit = limit.hasConcurrency() ? acquirePermit() : Uni.createFrom().voidItem();
        return permit.flatMap(held -> (limit.hasRate() ? acquireSlot() : Uni.createFrom().voidItem())
                        .onFailure().invoke(() -> {
                            if (limit.hasConcurrency()) {
                                releasePermit();
                            }
                        })
                        .onCancellation().invoke(() -> {
                            if (limit.hasConcurrency()) {
                                releasePermit();
                            }
                        }))
                .map(x -> limit.hasConcurrency() ? this::releasePermit : () -> { });
    }

    // ---- rate ----

    private Uni<Void> acquireSlot() {
        CompletableFuture<Long> assigned;
        synchronized (this) {
            dropStale();
            Long slot = slots.poll();
            if (slot != null) {
                return waitUntil(slot);
            }
            assigned = new CompletableFuture<>();
            slotWaiters.add(assigned);
        }
        reserve();
        return Uni.createFrom().completionStage(() -> assigned)
                .onCancellation().invoke(() -> abandonSlot(assigned))
                .flatMap(this::waitUntil);
    }

    /**
     * Waits for the slot's time. A request whose timer fired too late (a busy machine, a pause) lets
     * its slot go and waits for another: used late, it would bunch up with the next slots' requests.
     * A slot already due when granted goes at once.
     */
    private Uni<Void> waitUntil(long at) {
        long wait = at - ticker.nanoTime();
        if (wait < 1_000_000) {
            // Due (timers count whole milliseconds: within one is now).
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis((wait + 999_999) / 1_000_000))
                .flatMap(x -> ticker.nanoTime() - at > lateness() ? acquireSlot() : Uni.createFrom().voidItem());
    }

    /**
     * How late a slot may still be used: half the spacing, so that requests sent in any window of
     * {@code perSeconds} come from at most {@code requests + 1} slots; between 1 ms (timers count
     * milliseconds: above 500 requests a second, up to a millisecond's worth more) and 50 ms.
     */
    private synchronized long lateness() {
        return Math.min(STALE_NANOS, Math.max(MIN_LATENESS_NANOS, spacingNanos / 2));
    }

    /** Slots more than a moment in the past are let go: used late, they would bunch up with the next ones. */
    private void dropStale() {
        long now = ticker.nanoTime();
        while (!slots.isEmpty() && slots.peek() < now - lateness()) {
            slots.poll();
        }
    }

    private synchronized void abandonSlot(CompletableFuture<Long> assigned) {
        if (!slotWaiters.remove(assigned) && assigned.isDone() && !assigned.isCompletedExceptionally()) {
            slots.addFirst(assigned.join());
        }
    }

    private void reserve() {
        int wanted;
        synchronized (this) {
            if (reserving || reserveScheduled || slotWaiters.isEmpty()) {
                return;
            }
            reserving = true;
            wanted = slotWaiters.size();
        }
        Duration horizon = lease.dividedBy(2);
        backend.takeSlots(wanted, horizon).subscribe().with(
                granted -> reserved(granted, ticker.nanoTime(), horizon),
                failure -> {
                    synchronized (this) {
                        reserving = false;
                    }
                    retryReserveLater(RETRY_NANOS);
                });
    }

    private void reserved(Slots granted, long received, Duration horizon) {
        List<Runnable> wakes = new ArrayList<>();
        long retryIn = -1;
        synchronized (this) {
            reserving = false;
            if (!granted.found()) {
                Gone gone = new Gone("the limit " + name + " does not exist (any more)");
                slotWaiters.forEach(waiter -> wakes.add(() -> waiter.completeExceptionally(gone)));
                slotWaiters.clear();
            } else if (!granted.rate()) {
                // The rate part was removed: nothing to wait for.
                long now = ticker.nanoTime();
                slotWaiters.forEach(waiter -> wakes.add(() -> waiter.complete(now)));
                slotWaiters.clear();
            } else {
                // Counted from the reply's arrival (the statement's end, in the database's time):
                // never earlier than the database placed them, whatever the wait before the statement.
                long first = received + Math.round(granted.firstIn() * 1e9);
                long spacing = Math.round(granted.spacing() * 1e9);
                spacingNanos = spacing;
                for (int i = 0; i < granted.granted(); i++) {
                    // A slot that was due before its grant arrived counts from the arrival: it could
                    // not have been used sooner, and it is not late.
                    long at = Math.max(first + i * spacing, received);
                    CompletableFuture<Long> waiter = slotWaiters.poll();
                    if (waiter == null) {
                        slots.add(at);
                    } else {
                        wakes.add(() -> waiter.complete(at));
                    }
                }
                if (!slotWaiters.isEmpty()) {
                    // Nothing granted: the next lease period is reserved; ask once a quarter of it has passed.
                    retryIn = granted.granted() > 0 ? 0
                            : Math.max(RETRY_NANOS / 10, first - ticker.nanoTime() - horizon.toNanos() + horizon.toNanos() / 4);
                }
            }
        }
        wakes.forEach(Runnable::run);
        if (retryIn == 0) {
            reserve();
        } else if (retryIn > 0) {
            retryReserveLater(retryIn);
        }
    }

    /** One timer at a time: waiters that come meanwhile wait for it, they do not each ask the database. */
    private void retryReserveLater(long nanos) {
        synchronized (this) {
            if (reserveScheduled) {
                return;
            }
            reserveScheduled = true;
        }
        timers.after(nanos, () -> {
            synchronized (this) {
                reserveScheduled = false;
            }
            reserve();
        });
    }

    // ---- concurrency ----

    private Uni<Void> acquirePermit() {
        CompletableFuture<Void> granted;
        synchronized (this) {
            // Not while a hold is in flight: its reply would not count a permit taken meanwhile.
            if (inUse < usable() && ticker.nanoTime() < leaseValidUntil && permitWaiters.isEmpty() && !holding) {
                inUse++;
                return Uni.createFrom().voidItem();
            }
            granted = new CompletableFuture<>();
            permitWaiters.add(granted);
        }
        hold();
        return Uni.createFrom().completionStage(() -> granted)
                .onCancellation().invoke(() -> abandonPermit(granted));
    }

    private void releasePermit() {
        CompletableFuture<Void> next = null;
        boolean handBack = false;
        synchronized (this) {
            inUse--;
            if (!permitWaiters.isEmpty() && inUse < usable() && ticker.nanoTime() < leaseValidUntil) {
                inUse++;
                next = permitWaiters.poll();
            } else if (allowed > inUse && (inUse == 0 && permitWaiters.isEmpty() || allowed > share) && !handBackScheduled) {
                // Kept while in use (handing back and asking again would cost a round trip a
                // request); handed back when idle, or when others wait and this holds more than its share.
                handBackScheduled = true;
                handBack = true;
            }
        }
        if (next != null) {
            next.complete(null);
        }
        if (handBack) {
            // A moment later, so that a burst of releases is handed back in one statement.
            timers.after(Duration.ofMillis(20).toNanos(), () -> {
                synchronized (this) {
                    handBackScheduled = false;
                }
                hold();
            });
        }
    }

    private void abandonPermit(CompletableFuture<Void> granted) {
        boolean wasGranted;
        synchronized (this) {
            permitWaiters.remove(granted);
            // Granted only when completed normally (a waiter failed with Gone holds nothing).
            wasGranted = granted.isDone() && !granted.isCompletedExceptionally();
        }
        if (wasGranted) {
            releasePermit();
        }
    }

    /** Permits that may be in use: those granted, no more than the share while other instances wait. */
    private int usable() {
        return Math.min(allowed, share);
    }

    /** Renews the lease while this instance holds permits or waits for some; called a few times a lease. */
    void renew() {
        boolean needed;
        synchronized (this) {
            needed = allowed > 0 || inUse > 0 || !permitWaiters.isEmpty();
        }
        if (needed) {
            hold();
        }
    }

    private void hold() {
        int need;
        int used;
        synchronized (this) {
            if (holding) {
                holdAgain = true;
                return;
            }
            holding = true;
            used = inUse;
            need = inUse + permitWaiters.size();
        }
        long sent = ticker.nanoTime();
        backend.hold(need, used, lease).subscribe().with(
                granted -> held(granted, sent),
                failure -> {
                    synchronized (this) {
                        holding = false;
                    }
                    retryHoldLater();
                });
    }

    private void held(Hold granted, long sent) {
        List<Runnable> wakes = new ArrayList<>();
        boolean again;
        boolean starved;
        synchronized (this) {
            holding = false;
            if (!granted.found()) {
                Gone gone = new Gone("the limit " + name + " does not exist (any more)");
                permitWaiters.forEach(waiter -> wakes.add(() -> waiter.completeExceptionally(gone)));
                permitWaiters.clear();
                allowed = 0;
            } else if (granted.granted() == null) {
                // The concurrency part was removed: the waiters go (each still gives its permit back).
                allowed = Integer.MAX_VALUE;
                share = Integer.MAX_VALUE;
                leaseValidUntil = Long.MAX_VALUE;
                while (!permitWaiters.isEmpty()) {
                    inUse++;
                    CompletableFuture<Void> waiter = permitWaiters.poll();
                    wakes.add(() -> waiter.complete(null));
                }
            } else {
                allowed = granted.granted();
                share = granted.share() == null ? Integer.MAX_VALUE : granted.share();
                // The lease counts from before the statement was sent, less a margin for renewing.
                leaseValidUntil = sent + lease.toNanos() * 3 / 4;
                while (inUse < usable() && !permitWaiters.isEmpty()) {
                    inUse++;
                    CompletableFuture<Void> waiter = permitWaiters.poll();
                    wakes.add(() -> waiter.complete(null));
                }
            }
            again = holdAgain;
            holdAgain = false;
            starved = !permitWaiters.isEmpty();
        }
        wakes.forEach(Runnable::run);
        if (again) {
            hold();
        } else if (starved) {
            // Others hold every permit: ask again soon, for those they hand back.
            retryHoldLater();
        }
    }

    /** One retry timer at a time, however many requests arrive while starved. */
    private void retryHoldLater() {
        synchronized (this) {
            if (holdScheduled) {
                return;
            }
            holdScheduled = true;
        }
        timers.after(RETRY_NANOS, () -> {
            synchronized (this) {
                holdScheduled = false;
            }
            hold();
        });
    }
}
