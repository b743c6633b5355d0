package dev.harrier.api;

import dev.harrier.config.HarrierConfig;
import dev.harrier.progress.EventBridge;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The workspace streams ({@code GET /api/v1/events}). Status changes are read once per instance
 * and handed to each open stream of their workspace. Each stream holds at most one pending change
 * per job (a newer one replaces an older one), so a slow reader skips intermediate statuses but
 * always gets a job's latest, and a terminal status is never dropped in favour of nothing; past
 * {@link #MAX_PENDING} jobs it drops the oldest non-terminal ones, and a reader so far behind that
 * even terminal changes pile up past that is disconnected (its EventSource reconnects). A change
 * older than one already sent for the same job is dropped, so a dashboard never ends on a stale
 * status. Memory is bounded either way.
 */
@ApplicationScoped
public class WorkspaceFeed {

    private static final Logger LOG = Logger.getLogger(WorkspaceFeed.class);
    static final int MAX_PENDING = 10_000;

    private final EventBridge bridge;
    private final JobActions actions;
    private final JobEventFormat format;
    private final HarrierConfig config;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    // The handle of the subscription to status changes while streams are open; guarded by this.
    private Runnable unsubscribe;

    public WorkspaceFeed(EventBridge bridge, JobActions actions, JobEventFormat format, HarrierConfig config) {
        this.bridge = bridge;
        this.actions = actions;
        this.format = format;
        this.config = config;
    }

    /**
     * Status changes are read only while a workspace stream is open on this instance: reading
     * them costs a query per notification, and a drain of 1,000 jobs sends 14 notifications.
     */
    private synchronized void add(Stream stream) {
        streams.add(stream);
        if (unsubscribe == null) {
            unsubscribe = bridge.subscribeToStatusChanges(this::onStatusChanges);
        }
    }

    private synchronized void remove(Stream stream) {
        streams.remove(stream);
        if (streams.isEmpty() && unsubscribe != null) {
            unsubscribe.run();
            unsubscribe = null;
        }
    }

    public Multi<OutboundSseEvent> open(String workspace, String queue, String kind, Sse sse) {
        Multi<OutboundSseEvent> changes = Multi.createFrom().emitter(emitter -> {
            Stream stream = new Stream(workspace, queue, kind, emitter, sse);
            add(stream);
            emitter.onRequest(n -> stream.drain());
            emitter.onTermination(() -> remove(stream));
        });
        Multi<OutboundSseEvent> keepAlive = Multi.createFrom().ticks().every(config.api().keepAlive())
                .onOverflow().drop()
                .map(tick -> JobEventFormat.keepAlive(sse));
        return Multi.createBy().merging().streams(changes, keepAlive);
    }

    private void onStatusChanges(List<EventBridge.StatusChange> changes) {
        if (streams.isEmpty()) {
            return;
        }
        Set<UUID> ids = changes.stream().map(EventBridge.StatusChange::jobId).collect(Collectors.toSet());
        actions.getMany(ids).subscribe().with(jobs -> {
            Map<UUID, Job> byId = jobs.stream().collect(Collectors.toMap(Job::id, Function.identity()));
            for (EventBridge.StatusChange change : changes) {
                Job job = byId.get(change.jobId());
                if (job != null) {
                    deliver(job, change);
                }
            }
        }, failure -> LOG.warnf("workspace streams: %s", failure.getMessage()));
    }

    private void deliver(Job job, EventBridge.StatusChange change) {
        JobDocument document = JobEventFormat.documentAt(job, change.seq(), change.eventJson());
        boolean terminal = JobStatus.fromWire(document.status()).terminal();
        String json = format.json(document);
        for (Stream stream : streams) {
            if (stream.wants(job)) {
                stream.offer(job.id(), change.seq(), json, terminal);
            }
        }
    }

    /** One open workspace stream and its pending changes, one per job. */
    private static final class Stream {
        private final String workspace;
        private final String queue;
        private final String kind;
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private final Sse sse;
        private final LinkedHashMap<UUID, Pending> pending = new LinkedHashMap<>();
        // The last sequence number sent per job, for the most recent jobs only.
        private final LinkedHashMap<UUID, Long> sent = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
                return size() > MAX_PENDING;
            }
        };

        private record Pending(long seq, String json, boolean terminal) {
        }

        Stream(String workspace, String queue, String kind, MultiEmitter<? super OutboundSseEvent> emitter, Sse sse) {
            this.workspace = workspace;
            this.queue = queue;
            this.kind = kind;
            this.emitter = emitter;
            this.sse = sse;
        }

        boolean wants(Job job) {
            return job.workspace().equals(workspace)
                    && (queue == null || queue.equals(job.queue()))
                    && (kind == null || kind.equals(job.kind()));
        }

        void offer(UUID jobId, long seq, String json, boolean terminal) {
            synchronized (pending) {
                Long last = sent.get(jobId);
                if (last != null && last >= seq) {
                    return;
                }
                Pending previous = pending.remove(jobId);
                if (previous != null && previous.seq() > seq) {
                    pending.put(jobId, previous);
                } else {
                    pending.put(jobId, new Pending(seq, json, terminal));
                }
                if (pending.size() > MAX_PENDING) {
                    dropOldestNonTerminal();
                }
                if (pending.size() > MAX_PENDING) {
                    pending.clear();
                    emitter.complete();
                    return;
                }
            }
            drain();
        }

        /** Emits while the client asks for more; under the lock, so two threads never reorder. */
        void drain() {
            synchronized (pending) {
                while (!emitter.isCancelled() && emitter.requested() > 0 && !pending.isEmpty()) {
                    Iterator<Map.Entry<UUID, Pending>> first = pending.entrySet().iterator();
                    Map.Entry<UUID, Pending> entry = first.next();
                    first.remove();
                    sent.put(entry.getKey(), entry.getValue().seq());
                    emitter.emit(JobEventFormat.event(sse, "status", entry.getValue().seq(), entry.getValue().json()));
                }
            }
        }

        private void dropOldestNonTerminal() {
            Iterator<Map.Entry<UUID, Pending>> it = pending.entrySet().iterator();
            while (it.hasNext() && pending.size() > MAX_PENDING) {
                if (!it.next().getValue().terminal()) {
                    it.remove();
                }
            }
        }
    }
}
