package dev.harrier.stream;

import dev.harrier.config.HarrierConfig;
import dev.harrier.document.JobDocument;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * and handed to each open stream of their workspace ({@link WorkspaceStream}, which bounds what a
 * slow reader holds in bytes and closes one that stops reading for three keep-alive periods). A change older than one already
 * sent for the same job is dropped, so a dashboard never ends on a stale status. A stream opened
 * with a {@code Last-Event-ID} (an EventSource reconnecting, after its server closed it or went
 * away) may have missed changes that cannot be replayed: it starts with a {@code reset} event, and
 * the client re-reads the jobs it shows. One timer sends keep-alive comments to idle streams.
 */
@ApplicationScoped
public class WorkspaceFeed {

    private static final Logger LOG = Logger.getLogger(WorkspaceFeed.class);
    /** A reader that accepts nothing for this many keep-alive periods while changes wait is closed. */
    static final int STALLED_AFTER_KEEP_ALIVES = 3;
    static final String FIRST_ID = "0";
    static final Duration COUNTS_EVERY = Duration.ofSeconds(2);
    static final String RESET = "{\"reason\": \"reconnected: changes may have been missed while away; re-read the jobs you show\"}";

    private final StatusChanges statusChanges;
    private final JobActions actions;
    private final JobEventFormat format;
    private final HarrierConfig config;
    private final Vertx vertx;
    private final WorkspaceCounts counts;
    private final Set<WorkspaceStream> streams = ConcurrentHashMap.newKeySet();
    // While streams are open (guarded by this): the subscription to status changes, the keep-alive timer.
    private Runnable unsubscribe;
    private long keepAliveTimer = -1;
    private long countsTimer = -1;
    private final Set<String> countsReading = ConcurrentHashMap.newKeySet();
    // Status changes not yet read, and whether a read is in flight; guarded by `wanted`.
    private final List<StatusChanges.StatusChange> wanted = new ArrayList<>();
    private boolean reading;

    public WorkspaceFeed(StatusChanges statusChanges, JobActions actions, JobEventFormat format, HarrierConfig config, Vertx vertx,
                         MeterRegistry meters, WorkspaceCounts counts) {
        this.counts = counts;
        this.statusChanges = statusChanges;
        this.actions = actions;
        this.format = format;
        this.config = config;
        this.vertx = vertx;
        Gauge.builder("harrier.streams.workspace.open", streams, Set::size)
                .description("Workspace streams open on this instance").register(meters);
        Gauge.builder("harrier.streams.workspace.held", this, WorkspaceFeed::heldBytes).baseUnit("bytes")
                .description("Job documents held for workspace stream readers that are behind").register(meters);
    }

    /**
     * Status changes are read only while a workspace stream is open on this instance: reading
     * them costs a query per notification, and a drain of 1,000 jobs sends 14 notifications.
     */
    private synchronized void add(WorkspaceStream stream) {
        streams.add(stream);
        if (unsubscribe == null && stream.wantsStatuses()) {
            unsubscribe = statusChanges.subscribeToStatusChanges(this::onStatusChanges);
        }
        if (keepAliveTimer == -1) {
            keepAliveTimer = vertx.setPeriodic(config.api().keepAlive().toMillis(), id -> streams.forEach(WorkspaceStream::tick));
            countsTimer = vertx.setPeriodic(COUNTS_EVERY.toMillis(), id -> sendCounts());
        }
    }

    private synchronized void remove(WorkspaceStream stream) {
        streams.remove(stream);
        if (unsubscribe != null && streams.stream().noneMatch(WorkspaceStream::wantsStatuses)) {
            unsubscribe.run();
            unsubscribe = null;
        }
        if (streams.isEmpty() && keepAliveTimer != -1) {
            vertx.cancelTimer(keepAliveTimer);
            vertx.cancelTimer(countsTimer);
            keepAliveTimer = -1;
        }
        if (streams.stream().noneMatch(s -> s.workspace().equals(stream.workspace()))) {
            counts.forget(stream.workspace());
        }
    }

    /** Every 2 s: each workspace with a stream that wants counts is read once, and each of its streams gets its queues. */
    private void sendCounts() {
        Map<String, List<WorkspaceStream>> byWorkspace = new HashMap<>();
        for (WorkspaceStream stream : streams) {
            if (stream.wantsCounts()) {
                byWorkspace.computeIfAbsent(stream.workspace(), w -> new ArrayList<>()).add(stream);
            }
        }
        byWorkspace.forEach((workspace, readers) -> {
            // One read of a workspace at a time: two would count the same finished jobs twice.
            if (!countsReading.add(workspace)) {
                return;
            }
            counts.read(workspace)
                    .onTermination().invoke(() -> countsReading.remove(workspace))
                    .subscribe().with(
                            read -> readers.forEach(reader -> reader.offerCounts(
                                    JobEventFormat.event("counts", (Long) null, counts.json(read, reader.queue())))),
                            failure -> LOG.warnf("workspace counts of %s: %s", workspace, failure.getMessage()));
        });
    }

    /** The bytes of job documents the open streams hold for their readers. */
    long heldBytes() {
        return streams.stream().mapToLong(WorkspaceStream::pendingBytes).sum();
    }

    /**
     * A new stream. Its first event carries an id (a {@code : connected} comment, or the
     * {@code reset} of a reconnect), so that an EventSource reconnects with {@code Last-Event-ID}
     * even when the stream dropped before its first status change.
     *
     * @param tags only jobs carrying all of them (a workspace token's tags), none for every job
     * @param events {@code status} (job status changes), {@code counts} (the queues every 2 s), or both
     * @param hangUp closes the client's connection (for a reader that stopped reading)
     */
    public Multi<OutboundSseEvent> open(String workspace, String queue, String kind, List<String> tags, Set<String> events,
                                        boolean reconnected, Runnable hangUp) {
        OutboundSseEvent first = reconnected
                ? JobEventFormat.event("reset", FIRST_ID, RESET)
                : JobEventFormat.comment("connected", FIRST_ID);
        return Multi.createFrom().emitter(emitter -> {
            WorkspaceStream stream = new WorkspaceStream(workspace, queue, kind, tags, events, emitter, config.api().streamBufferBytes(),
                    config.api().keepAlive().multipliedBy(STALLED_AFTER_KEEP_ALIVES), this::load, first, hangUp);
            add(stream);
            emitter.onRequest(stream::request);
            emitter.onTermination(() -> remove(stream));
            // Requests made before onRequest was registered (at most one event too many is asked for).
            stream.request(emitter.requested());
        });
    }

    /** One read of documents in flight; changes that arrive meanwhile are read together next. */
    private void onStatusChanges(List<StatusChanges.StatusChange> changes) {
        if (streams.isEmpty()) {
            return;
        }
        synchronized (wanted) {
            wanted.addAll(changes);
            if (reading) {
                return;
            }
            reading = true;
        }
        readWanted();
    }

    private void readWanted() {
        List<StatusChanges.StatusChange> batch;
        synchronized (wanted) {
            if (wanted.isEmpty() || streams.isEmpty()) {
                wanted.clear();
                reading = false;
                return;
            }
            batch = new ArrayList<>(wanted);
            wanted.clear();
        }
        Set<UUID> ids = batch.stream().map(StatusChanges.StatusChange::jobId).collect(Collectors.toSet());
        actions.getMany(ids).subscribe().with(jobs -> {
            Map<UUID, Job> byId = jobs.stream().collect(Collectors.toMap(Job::id, Function.identity()));
            for (StatusChanges.StatusChange change : batch) {
                Job job = byId.get(change.jobId());
                if (job != null) {
                    deliver(job, change);
                }
            }
            readWanted();
        }, failure -> {
            LOG.warnf("workspace streams: %s", failure.getMessage());
            readWanted();
        });
    }

    /** The current documents of jobs a stream must send again (their pending change was stripped). */
    private Uni<Map<UUID, WorkspaceStream.Loaded>> load(List<UUID> jobIds) {
        return actions.getMany(new HashSet<>(jobIds)).map(jobs -> {
            Map<UUID, WorkspaceStream.Loaded> documents = new HashMap<>();
            for (Job job : jobs) {
                documents.put(job.id(), new WorkspaceStream.Loaded(job.lastEventSeq(), format.json(JobDocument.of(job)),
                        job.status().terminal()));
            }
            return documents;
        });
    }

    private void deliver(Job job, StatusChanges.StatusChange change) {
        if (change.eventJson() == null && change.seq() != job.lastEventSeq()) {
            // A new job that has changed again since: that later change is delivered on its own.
            return;
        }
        JobDocument document = JobEventFormat.documentAt(job, change.seq(), change.eventJson());
        boolean terminal = JobStatus.fromWire(document.status()).terminal();
        String json = null;
        for (WorkspaceStream stream : streams) {
            if (stream.wants(job.workspace(), job.queue(), job.kind(), job.tags())) {
                if (json == null) {
                    json = format.json(document);
                }
                stream.offer(job.id(), change.seq(), json, terminal);
            }
        }
    }
}
