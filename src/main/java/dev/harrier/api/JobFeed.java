package dev.harrier.api;

import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The recent events of one job, shared by every stream of this instance that follows it: read once
 * per notification (see {@link JobFeeds}) and formatted once, instead of once per stream. The tail
 * is bounded (events and bytes); a stream behind it reads its pages from the table itself, so a
 * client that stops reading costs the feed nothing.
 *
 * <p>Sequence numbers of a job have no gaps and are committed in order (each is taken under the job
 * row's lock), so "every event up to {@code readUpTo}" is a single number.
 */
final class JobFeed {

    static final int MAX_EVENTS = 256;
    static final long MAX_BYTES = 256 * 1024;

    /** One formatted event. */
    record Entry(long seq, OutboundSseEvent event, boolean terminal, int bytes) {
    }

    /**
     * What a stream at some position gets: events to send, or {@code behind} (read the table), or
     * a signal to wait on ({@code true}: new events, {@code false}: the keep-alive tick).
     */
    record Slice(List<OutboundSseEvent> events, long lastSeq, boolean terminal, boolean behind,
                 CompletableFuture<Boolean> wake) {
    }

    final UUID jobId;
    private final ArrayDeque<Entry> tail = new ArrayDeque<>();
    private long tailBytes;
    private long readUpTo;
    private CompletableFuture<Boolean> next = new CompletableFuture<>();
    private boolean reading;
    private boolean readAgain;
    private boolean tickInRead;
    private boolean tickWanted;
    private int followers;

    JobFeed(UUID jobId, long readUpTo) {
        this.jobId = jobId;
        this.readUpTo = readUpTo;
    }

    synchronized void join() {
        followers++;
    }

    /** Returns whether the last follower left. */
    synchronized boolean leave() {
        return --followers == 0;
    }

    /** Completes when the feed next grows ({@code true}) or ticks ({@code false}). */
    synchronized CompletableFuture<Boolean> wakeSignal() {
        return next;
    }

    synchronized long readUpTo() {
        return readUpTo;
    }

    /** The events after {@code seq}, at most {@code limit}, up to and including a terminal one. */
    synchronized Slice after(long seq, int limit) {
        if (seq >= readUpTo) {
            return new Slice(List.of(), seq, false, false, next);
        }
        if (tail.isEmpty() || tail.peekFirst().seq() > seq + 1) {
            return new Slice(List.of(), seq, false, true, null);
        }
        List<OutboundSseEvent> events = new ArrayList<>();
        long last = seq;
        boolean terminal = false;
        for (Iterator<Entry> it = tail.iterator(); it.hasNext() && events.size() < limit && !terminal; ) {
            Entry entry = it.next();
            if (entry.seq() > seq) {
                events.add(entry.event());
                last = entry.seq();
                terminal = entry.terminal();
            }
        }
        return new Slice(events, last, terminal, false, null);
    }

    /**
     * Starts a read unless one is in flight (then it is repeated after it): returns the position to
     * read after, or -1. A {@code tick} read wakes the waiting streams even when it finds nothing.
     */
    synchronized long startRead(boolean tick) {
        if (reading) {
            readAgain = true;
            tickWanted |= tick;
            return -1;
        }
        reading = true;
        tickInRead = tick;
        return readUpTo;
    }

    /**
     * Appends what a read found and wakes the waiting streams: with {@code true} when there was
     * something new, with {@code false} on a keep-alive tick that found nothing. Returns null, or
     * the tick flag of the read to start next (a notification or tick came during this read, or it
     * was a full page).
     */
    Boolean finishRead(List<Entry> read, boolean full) {
        CompletableFuture<Boolean> woken = null;
        Boolean again;
        synchronized (this) {
            boolean tick = tickInRead;
            boolean grew = false;
            for (Entry entry : read) {
                if (entry.seq() == readUpTo + 1) {
                    append(entry);
                    grew = true;
                }
            }
            if (grew || tick) {
                woken = next;
                next = new CompletableFuture<>();
            }
            again = readAgain || (full && grew) ? tickWanted : null;
            readAgain = false;
            tickWanted = false;
            reading = false;
            if (woken != null && !grew) {
                // A tick that found nothing: the streams send a keep-alive comment.
                woken.complete(false);
                woken = null;
            }
        }
        if (woken != null) {
            woken.complete(true);
        }
        return again;
    }

    /** A read failed: the next notification or tick tries again. */
    synchronized void readFailed() {
        reading = false;
        readAgain = false;
        tickWanted = false;
    }

    private void append(Entry entry) {
        tail.addLast(entry);
        tailBytes += entry.bytes();
        readUpTo = entry.seq();
        while (tail.size() > MAX_EVENTS || (tailBytes > MAX_BYTES && tail.size() > 1)) {
            tailBytes -= tail.removeFirst().bytes();
        }
    }
}
