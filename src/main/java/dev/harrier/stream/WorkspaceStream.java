package dev.harrier.stream;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One open workspace stream ({@code GET /api/v1/events}) and the changes it has not sent yet, at
 * most one per job (a newer one replaces an older one: a slow reader skips intermediate statuses,
 * never a job's latest).
 *
 * <p>What a reader that is behind costs is bounded in bytes, not in count, since one job document
 * can be megabytes: the pending changes keep their documents (strings shared with every other
 * stream) up to {@code maxBytes}; past it the newest ones keep only the job's id, and their
 * documents are read again, as many as the client asks for, when they reach the head of the line.
 * So a burst of large documents neither closes a reader that keeps reading nor pins memory for one
 * that does not. A reader that accepts nothing for {@code stallAfter} while changes wait, or falls
 * {@link #MAX_PENDING} jobs behind, is hung up on, freeing everything; on reconnect it gets a
 * {@code reset} event and re-reads what it shows.
 *
 * <p>Events leave only against the client's own requests, counted here ({@code credit}), never
 * against {@code emitter.requested()}: the SSE writer asks for the next event from inside
 * {@code emit} when a write completes at once, before Mutiny lowers that count, so counting on it
 * let every pending document into the emitter's unbounded buffer. A drain that is re-entered that
 * way only marks that it must go round again.
 */
final class WorkspaceStream {

    private static final Logger LOG = Logger.getLogger(WorkspaceStream.class);

    /** Jobs a reader may be behind by before it is closed (each costs a few dozen bytes once stripped). */
    static final int MAX_PENDING = 10_000;
    /** The latest sequence number sent, for this many recently changed jobs (drops stale changes). */
    static final int MAX_SENT = 2_000;
    /** Most documents read again at once for a reader that reached its stripped changes. */
    static final int RELOAD_BATCH = 16;

    /** Reads the current documents of jobs whose pending change kept only the id. */
    interface Loader {
        Uni<Map<UUID, Loaded>> load(List<UUID> jobIds);
    }

    /** A job's current document, as a status event carries it. */
    record Loaded(long seq, String json, boolean terminal) {
    }

    private final String workspace;
    private final String queue;
    private final String kind;
    private final List<String> tags;
    private final boolean statuses;
    private final boolean counts;
    private final MultiEmitter<? super OutboundSseEvent> emitter;
    private final long maxBytes;
    private final long stallAfterNanos;
    private final Loader loader;
    private final Runnable hangUp;
    private final LinkedHashMap<UUID, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashMap<UUID, Long> sent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
            return size() > MAX_SENT;
        }
    };
    // All guarded by `pending`.
    private OutboundSseEvent first;
    // The latest counts event not yet sent: a newer one replaces it.
    private OutboundSseEvent latestCounts;
    private long credit;
    private long pendingBytes;
    private long lastEmitNanos = System.nanoTime();
    private boolean quiet = true;
    private boolean draining;
    private boolean again;
    private boolean loading;
    private boolean closed;

    /** A change to send; {@code json} is null once stripped (read again before it is sent). */
    private record Pending(long seq, String json, boolean terminal) {
        long bytes() {
            // Characters, not UTF-8 bytes: the strings are what the heap holds.
            return json == null ? 0 : json.length();
        }
    }

    /**
     * @param first an event to send before any other (the {@code reset} of a reconnect), or null
     * @param hangUp closes the client's connection, for a reader that stopped reading (completing
     *     the stream alone would leave the unwritten event and the connection waiting on it)
     */
    WorkspaceStream(String workspace, String queue, String kind, List<String> tags, Set<String> events, MultiEmitter<? super OutboundSseEvent> emitter,
                    long maxBytes, Duration stallAfter, Loader loader, OutboundSseEvent first, Runnable hangUp) {
        this.workspace = workspace;
        this.queue = queue;
        this.kind = kind;
        this.tags = List.copyOf(tags);
        this.statuses = events.contains("status");
        // A token with tags sees its own jobs only: the workspace's counts are not its to read.
        this.counts = events.contains("counts") && tags.isEmpty();
        this.emitter = emitter;
        this.maxBytes = maxBytes;
        this.stallAfterNanos = stallAfter.toNanos();
        this.loader = loader;
        this.first = first;
        this.hangUp = hangUp;
    }

    boolean wantsStatuses() {
        return statuses;
    }

    boolean wantsCounts() {
        return counts;
    }

    String workspace() {
        return workspace;
    }

    String queue() {
        return queue;
    }

    /** The workspace's newest counts; one not sent yet is replaced, never queued behind. */
    void offerCounts(OutboundSseEvent event) {
        synchronized (pending) {
            if (closed) {
                return;
            }
            latestCounts = event;
        }
        drain();
    }

    boolean wants(String jobWorkspace, String jobQueue, String jobKind, List<String> jobTags) {
        return statuses && jobWorkspace.equals(workspace)
                && (queue == null || queue.equals(jobQueue))
                && (kind == null || kind.equals(jobKind))
                && jobTags.containsAll(tags);
    }

    /** The client asked for {@code n} more events. */
    void request(long n) {
        synchronized (pending) {
            credit = credit + n < 0 ? Long.MAX_VALUE : credit + n;
        }
        drain();
    }

    void offer(UUID jobId, long seq, String json, boolean terminal) {
        synchronized (pending) {
            if (closed) {
                return;
            }
            Long last = sent.get(jobId);
            if (last != null && last >= seq) {
                return;
            }
            Pending previous = pending.remove(jobId);
            if (previous != null) {
                pendingBytes -= previous.bytes();
            }
            Pending kept = previous != null && previous.seq() > seq ? previous : new Pending(seq, json, terminal);
            pending.put(jobId, kept);
            pendingBytes += kept.bytes();
            if (pending.size() > MAX_PENDING) {
                close("it is " + MAX_PENDING + " jobs behind");
                return;
            }
            stripNewest();
        }
        drain();
    }

    /** Emits against the client's credit; a re-entered call only marks that another round is due. */
    void drain() {
        List<UUID> reload = null;
        synchronized (pending) {
            if (draining) {
                again = true;
                return;
            }
            draining = true;
            try {
                do {
                    again = false;
                    reload = drainOnce();
                } while (again && reload == null);
            } finally {
                draining = false;
            }
        }
        if (reload != null) {
            List<UUID> asked = reload;
            loader.load(asked).subscribe().with(documents -> reloaded(asked, documents), failure -> {
                // The next keep-alive tick drains again, and so reads them again.
                LOG.warnf("workspace stream: reading documents again failed (%s)", failure.getMessage());
                synchronized (pending) {
                    loading = false;
                }
            });
        }
    }

    /** One round under the lock; returns the jobs whose documents must be read again first, if any. */
    private List<UUID> drainOnce() {
        while (!closed && !emitter.isCancelled() && credit > 0) {
            if (first != null) {
                OutboundSseEvent event = first;
                first = null;
                emit(event);
                continue;
            }
            if (latestCounts != null) {
                OutboundSseEvent event = latestCounts;
                latestCounts = null;
                emit(event);
                continue;
            }
            if (pending.isEmpty()) {
                return null;
            }
            Map.Entry<UUID, Pending> head = pending.entrySet().iterator().next();
            if (head.getValue().json() == null) {
                if (loading) {
                    return null;
                }
                loading = true;
                return strippedAtHead((int) Math.min(credit, RELOAD_BATCH));
            }
            pending.remove(head.getKey());
            pendingBytes -= head.getValue().bytes();
            sent.put(head.getKey(), head.getValue().seq());
            emit(JobEventFormat.event("status", head.getValue().seq(), head.getValue().json()));
        }
        return null;
    }

    private void emit(OutboundSseEvent event) {
        credit--;
        lastEmitNanos = System.nanoTime();
        quiet = false;
        emitter.emit(event);
    }

    /** On the keep-alive tick: a comment if the stream was idle, a hang-up if its reader stalled. */
    void tick() {
        boolean retry;
        synchronized (pending) {
            if (closed) {
                return;
            }
            if (!pending.isEmpty() && System.nanoTime() - lastEmitNanos > stallAfterNanos) {
                close("it accepted nothing for " + stallAfterNanos / 1_000_000_000 + " s");
                return;
            }
            if (quiet && pending.isEmpty() && credit > 0) {
                emit(JobEventFormat.keepAlive());
            }
            quiet = true;
            if (pending.isEmpty()) {
                lastEmitNanos = System.nanoTime();
            }
            retry = !pending.isEmpty() && credit > 0 && !loading;
        }
        if (retry) {
            drain();
        }
    }

    long pendingBytes() {
        synchronized (pending) {
            return pendingBytes;
        }
    }

    private void reloaded(List<UUID> asked, Map<UUID, Loaded> documents) {
        synchronized (pending) {
            loading = false;
            for (UUID jobId : asked) {
                Pending stripped = pending.get(jobId);
                if (stripped == null || stripped.json() != null) {
                    continue;
                }
                Loaded now = documents.get(jobId);
                if (now == null) {
                    // Deleted meanwhile (pruned): nothing left to send.
                    pending.remove(jobId);
                    continue;
                }
                Pending filled = new Pending(Math.max(now.seq(), stripped.seq()), now.json(), now.terminal());
                pending.put(jobId, filled);
                pendingBytes += filled.bytes();
            }
        }
        drain();
    }

    private List<UUID> strippedAtHead(int most) {
        List<UUID> ids = new ArrayList<>(most);
        Iterator<Map.Entry<UUID, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext() && ids.size() < most) {
            Map.Entry<UUID, Pending> next = it.next();
            if (next.getValue().json() != null) {
                break;
            }
            ids.add(next.getKey());
        }
        return ids;
    }

    /**
     * Past the byte bound, the newest pending changes keep only their job's id. The head keeps its
     * document: it goes out next (a reload just filled it, and stripping it would read it again).
     */
    private void stripNewest() {
        if (pendingBytes <= maxBytes) {
            return;
        }
        UUID head = pending.firstEntry().getKey();
        List<UUID> newestFirst = new ArrayList<>();
        long bytes = pendingBytes;
        for (UUID jobId : pending.sequencedKeySet().reversed()) {
            if (bytes <= maxBytes || jobId.equals(head)) {
                break;
            }
            Pending kept = pending.get(jobId);
            if (kept.json() != null) {
                bytes -= kept.bytes();
                newestFirst.add(jobId);
            }
        }
        for (UUID jobId : newestFirst) {
            Pending kept = pending.get(jobId);
            pending.replace(jobId, new Pending(kept.seq(), null, kept.terminal()));
        }
        pendingBytes = bytes;
    }

    private void close(String why) {
        LOG.infof("hanging up on a workspace stream of %s: %s; it gets a reset event when it reconnects", workspace, why);
        closed = true;
        pending.clear();
        pendingBytes = 0;
        first = null;
        emitter.complete();
        hangUp.run();
    }
}
