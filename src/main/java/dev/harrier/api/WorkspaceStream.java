package dev.harrier.api;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * documents are read again when they reach the head of the line. So a burst of large documents
 * neither closes a reader that keeps reading nor pins memory for one that does not. A reader that
 * accepts nothing for {@code stallAfter} while changes wait, or falls {@link #MAX_PENDING} jobs
 * behind, is closed, freeing everything; on reconnect it gets a {@code reset} event and re-reads
 * what it shows. Events leave only as the client asks for them, through one emitter, keep-alive
 * comments included, so nothing else buffers on its behalf.
 */
final class WorkspaceStream {

    private static final Logger LOG = Logger.getLogger(WorkspaceStream.class);

    /** Jobs a reader may be behind by before it is closed (each costs a few dozen bytes once stripped). */
    static final int MAX_PENDING = 10_000;
    /** The latest sequence number sent, for this many recently changed jobs (drops stale changes). */
    static final int MAX_SENT = 2_000;
    /** Documents read again at a time for a reader that reached its stripped changes. */
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
    private final MultiEmitter<? super OutboundSseEvent> emitter;
    private final Sse sse;
    private final long maxBytes;
    private final long stallAfterNanos;
    private final Loader loader;
    private final LinkedHashMap<UUID, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashMap<UUID, Long> sent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
            return size() > MAX_SENT;
        }
    };
    private long pendingBytes;
    private long lastEmitNanos = System.nanoTime();
    private boolean quiet = true;
    private boolean loading;
    private boolean closed;

    /** A change to send; {@code json} is null once stripped (read again before it is sent). */
    private record Pending(long seq, String json, boolean terminal) {
        long bytes() {
            // Characters, not UTF-8 bytes: the strings are what the heap holds.
            return json == null ? 0 : json.length();
        }
    }

    WorkspaceStream(String workspace, String queue, String kind, MultiEmitter<? super OutboundSseEvent> emitter, Sse sse,
                    long maxBytes, java.time.Duration stallAfter, Loader loader) {
        this.workspace = workspace;
        this.queue = queue;
        this.kind = kind;
        this.emitter = emitter;
        this.sse = sse;
        this.maxBytes = maxBytes;
        this.stallAfterNanos = stallAfter.toNanos();
        this.loader = loader;
    }

    boolean wants(String jobWorkspace, String jobQueue, String jobKind) {
        return jobWorkspace.equals(workspace)
                && (queue == null || queue.equals(jobQueue))
                && (kind == null || kind.equals(jobKind));
    }

    /** Sends an event that must come first (a {@code reset} on reconnect). */
    void first(OutboundSseEvent event) {
        synchronized (pending) {
            emitter.emit(event);
            quiet = false;
        }
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

    /** Emits while the client asks for more; under the lock, so two threads never reorder. */
    void drain() {
        List<UUID> reload = null;
        synchronized (pending) {
            while (!closed && !emitter.isCancelled() && emitter.requested() > 0 && !pending.isEmpty()) {
                Map.Entry<UUID, Pending> head = pending.entrySet().iterator().next();
                if (head.getValue().json() == null) {
                    reload = loading ? null : strippedAtHead();
                    loading = loading || reload != null;
                    break;
                }
                pending.remove(head.getKey());
                pendingBytes -= head.getValue().bytes();
                sent.put(head.getKey(), head.getValue().seq());
                emitter.emit(JobEventFormat.event(sse, "status", head.getValue().seq(), head.getValue().json()));
                lastEmitNanos = System.nanoTime();
                quiet = false;
            }
        }
        if (reload != null) {
            List<UUID> asked = reload;
            loader.load(asked).subscribe().with(documents -> reloaded(asked, documents), failure -> {
                LOG.warnf("workspace stream: reading documents again failed (%s)", failure.getMessage());
                synchronized (pending) {
                    loading = false;
                }
            });
        }
    }

    /** On the keep-alive tick: a comment if the stream was idle, or closed if its reader stalled. */
    void tick() {
        synchronized (pending) {
            if (closed) {
                return;
            }
            if (!pending.isEmpty() && System.nanoTime() - lastEmitNanos > stallAfterNanos) {
                close("it accepted nothing for " + stallAfterNanos / 1_000_000_000 + " s");
                return;
            }
            if (quiet && pending.isEmpty() && emitter.requested() > 0) {
                emitter.emit(JobEventFormat.keepAlive(sse));
            }
            quiet = true;
            if (pending.isEmpty()) {
                lastEmitNanos = System.nanoTime();
            }
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

    private List<UUID> strippedAtHead() {
        List<UUID> ids = new ArrayList<>(RELOAD_BATCH);
        Iterator<Map.Entry<UUID, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext() && ids.size() < RELOAD_BATCH) {
            Map.Entry<UUID, Pending> next = it.next();
            if (next.getValue().json() != null) {
                break;
            }
            ids.add(next.getKey());
        }
        return ids;
    }

    /** Past the byte bound, the newest pending changes keep only their job's id. */
    private void stripNewest() {
        if (pendingBytes <= maxBytes) {
            return;
        }
        List<UUID> newestFirst = new ArrayList<>();
        for (UUID jobId : pending.sequencedKeySet().reversed()) {
            if (pendingBytes <= maxBytes) {
                break;
            }
            Pending kept = pending.get(jobId);
            if (kept.json() != null) {
                pendingBytes -= kept.bytes();
                newestFirst.add(jobId);
            }
        }
        for (UUID jobId : newestFirst) {
            Pending kept = pending.get(jobId);
            pending.replace(jobId, new Pending(kept.seq(), null, kept.terminal()));
        }
    }

    private void close(String why) {
        LOG.infof("closing a workspace stream of %s: %s; it gets a reset event when it reconnects", workspace, why);
        closed = true;
        pending.clear();
        pendingBytes = 0;
        emitter.complete();
    }
}
