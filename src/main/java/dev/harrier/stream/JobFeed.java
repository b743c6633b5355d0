package dev.harrier.stream;

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
 * row's lock), so "every event up to {@code readUpTo}" is a single number. Signals are completed
 * outside the feed's lock: what they wake (a stream writing, or ending and leaving the feed) must
 * never run while another event loop waits for the lock.
 */
final class JobFeed {

    static final int MAX_EVENTS = 256;
    static final long MAX_BYTES = 256 * 1024;

    /** One formatted event; {@code bytes} is about what it holds. */
    record Entry(long seq, OutboundSseEvent event, boolean terminal, int bytes) {
    }

    /**
     * What a stream at some position gets: events to send, or {@code behind} (read the table), and
     * when there are none, a signal to wait on ({@code true}: new events, {@code false}: the
     * keep-alive tick; taken before a stream behind reads the table, so nothing slips between). The
     * signal is the feed's own: wait on a copy, so that a stream that goes away cancels nothing
     * but its copy.
     */
    record Slice(List<OutboundSseEvent> events, long lastSeq, boolean terminal, boolean behind,
                 CompletableFuture<Boolean> wake) {
    }

    /** A read the feed started: its number and the position it reads after. */
    record Read(int number, long after) {
    }

    final UUID jobId;
    private final ArrayDeque<Entry> tail = new ArrayDeque<>();
    private long tailBytes;
    private long readUpTo;
    private CompletableFuture<Boolean> next = new CompletableFuture<>();
    private int reads;
    private boolean reading;
    private long readStartedNanos;
    private boolean readAgain;
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

    synchronized long readUpTo() {
        return readUpTo;
    }

    /** The events after {@code seq}, at most {@code limit}, up to and including a terminal one. */
    synchronized Slice after(long seq, int limit) {
        if (seq >= readUpTo) {
            return new Slice(List.of(), seq, false, false, next);
        }
        if (tail.isEmpty() || tail.peekFirst().seq() > seq + 1) {
            return new Slice(List.of(), seq, false, true, next);
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
     * Starts a read unless one is in flight (then it is repeated after it, and this returns null).
     * A read in flight for longer than {@code staleNanos} is given up: its result, if it ever
     * comes, is ignored.
     */
    synchronized Read startRead(long nowNanos, long staleNanos) {
        if (reading && nowNanos - readStartedNanos < staleNanos) {
            readAgain = true;
            return null;
        }
        reading = true;
        readAgain = false;
        readStartedNanos = nowNanos;
        return new Read(++reads, readUpTo);
    }

    /**
     * Appends what read {@code read} found and wakes the waiting streams if there was something
     * new. Returns whether to read again (a notification came during the read, or it was a full
     * page).
     */
    boolean finishRead(int read, List<Entry> found, boolean full) {
        CompletableFuture<Boolean> woken = null;
        boolean again;
        synchronized (this) {
            if (read != reads) {
                return false;
            }
            boolean grew = false;
            for (Entry entry : found) {
                if (entry.seq() == readUpTo + 1) {
                    append(entry);
                    grew = true;
                }
            }
            if (grew) {
                woken = next;
                next = new CompletableFuture<>();
            }
            again = readAgain || (full && grew);
            readAgain = false;
            reading = false;
        }
        if (woken != null) {
            woken.complete(true);
        }
        return again;
    }

    /** Read {@code read} failed: the next notification or tick tries again. */
    synchronized void readFailed(int read) {
        if (read == reads) {
            reading = false;
        }
    }

    /** Wakes the waiting streams for a keep-alive comment (needs no read: the database may be down). */
    void tick() {
        CompletableFuture<Boolean> woken;
        synchronized (this) {
            woken = next;
            next = new CompletableFuture<>();
        }
        woken.complete(false);
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
