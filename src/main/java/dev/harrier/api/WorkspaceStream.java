package dev.harrier.api;

import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One open workspace stream ({@code GET /api/v1/events}) and the changes it has not sent yet, at
 * most one per job (a newer one replaces an older one: a slow reader skips intermediate statuses,
 * never a job's latest). What it holds is bounded in bytes, not in count, since one job document
 * can be megabytes: past {@code maxBytes} the oldest non-terminal changes are dropped, and a reader
 * still past it (it does not read at all) is closed, freeing everything; on reconnect it gets a
 * {@code reset} event and re-reads what it shows. Events leave only as the client asks for them,
 * through one emitter, keep-alive comments included, so nothing else buffers on its behalf.
 */
final class WorkspaceStream {

    /** The latest sequence number sent, for this many recently changed jobs (drops stale changes). */
    static final int MAX_SENT = 2_000;

    private final String workspace;
    private final String queue;
    private final String kind;
    private final MultiEmitter<? super OutboundSseEvent> emitter;
    private final Sse sse;
    private final long maxBytes;
    private final LinkedHashMap<UUID, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashMap<UUID, Long> sent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
            return size() > MAX_SENT;
        }
    };
    private long pendingBytes;
    private boolean quiet = true;
    private boolean closed;

    private record Pending(long seq, String json, boolean terminal) {
        long bytes() {
            // Characters, not UTF-8 bytes: the strings are what the heap holds (shared between streams).
            return json.length() + 64L;
        }
    }

    WorkspaceStream(String workspace, String queue, String kind, MultiEmitter<? super OutboundSseEvent> emitter, Sse sse,
                    long maxBytes) {
        this.workspace = workspace;
        this.queue = queue;
        this.kind = kind;
        this.emitter = emitter;
        this.sse = sse;
        this.maxBytes = maxBytes;
    }

    boolean wants(String jobWorkspace, String jobQueue, String jobKind) {
        return jobWorkspace.equals(workspace)
                && (queue == null || queue.equals(jobQueue))
                && (kind == null || kind.equals(jobKind));
    }

    /** Sends an event that must come first (a {@code reset} on reconnect); it counts against the bound too. */
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
            if (pendingBytes > maxBytes) {
                dropOldestNonTerminal();
            }
            if (pendingBytes > maxBytes && pending.size() > 1) {
                close();
                return;
            }
        }
        drain();
    }

    /** Emits while the client asks for more; under the lock, so two threads never reorder. */
    void drain() {
        synchronized (pending) {
            while (!closed && !emitter.isCancelled() && emitter.requested() > 0 && !pending.isEmpty()) {
                Iterator<Map.Entry<UUID, Pending>> first = pending.entrySet().iterator();
                Map.Entry<UUID, Pending> entry = first.next();
                first.remove();
                pendingBytes -= entry.getValue().bytes();
                sent.put(entry.getKey(), entry.getValue().seq());
                emitter.emit(JobEventFormat.event(sse, "status", entry.getValue().seq(), entry.getValue().json()));
                quiet = false;
            }
        }
    }

    /** A keep-alive comment if nothing went out since the last tick and the client reads. */
    void tick() {
        synchronized (pending) {
            if (!closed && quiet && pending.isEmpty() && emitter.requested() > 0) {
                emitter.emit(JobEventFormat.keepAlive(sse));
            }
            quiet = true;
        }
    }

    long pendingBytes() {
        synchronized (pending) {
            return pendingBytes;
        }
    }

    private void dropOldestNonTerminal() {
        Iterator<Map.Entry<UUID, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext() && pendingBytes > maxBytes) {
            Pending next = it.next().getValue();
            if (!next.terminal()) {
                it.remove();
                pendingBytes -= next.bytes();
            }
        }
    }

    private void close() {
        closed = true;
        pending.clear();
        pendingBytes = 0;
        emitter.complete();
    }
}
