package dev.harrier.progress;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The cross-instance bridge for event streams: one {@code LISTEN harrier_events} connection per
 * instance. A notification only says "job X has new events up to seq N"; the streams read the
 * events themselves from the table, so a lost or merged notification loses nothing, it only
 * delays (each stream also re-reads on its keep-alive tick). Status changes are also read once
 * here, for every workspace stream of this instance together.
 */
@ApplicationScoped
public class EventBridge {

    private static final Logger LOG = Logger.getLogger(EventBridge.class);

    /** A status change, as the workspace streams need it: the job, the event's number and its data. */
    public record StatusChange(UUID jobId, long seq, String eventJson) {
    }

    static final String STATUS_EVENTS_OF = """
            SELECT e.job_id, e.seq, e.data::text AS event, e.at
            FROM unnest($1::uuid[], $2::bigint[]) AS r(job_id, seq)
            JOIN harrier.job_events e ON e.job_id = r.job_id AND e.seq = r.seq AND e.type = 'status'
            ORDER BY e.job_id, e.seq""";

    /**
     * Status changes recorded since a moment, for the workspace streams after the LISTEN
     * connection was down. No index serves it: it runs only after a reconnect, never per event.
     */
    static final String STATUS_EVENTS_SINCE = """
            SELECT job_id, seq, data::text AS event, at FROM harrier.job_events
            WHERE type = 'status' AND at >= $1
            ORDER BY at, job_id, seq
            LIMIT 10000""";

    private final Pool pool;
    private final PgListener listener;
    private final Map<UUID, List<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    // When the latest notification of a followed job arrived; kept a minute (see lastNotified).
    private final Map<UUID, Long> notifiedAt = new ConcurrentHashMap<>();
    private static final long NOTIFIED_KEPT_NANOS = 60_000_000_000L;
    private final Set<Consumer<List<StatusChange>>> statusSubscribers = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicReference<java.time.OffsetDateTime> lastStatusAt = new java.util.concurrent.atomic.AtomicReference<>();

    public EventBridge(Vertx vertx, Pool pool, ListenerConnections connections) {
        this.pool = pool;
        vertx.setPeriodic(NOTIFIED_KEPT_NANOS / 1_000_000, id -> {
            long oldest = System.nanoTime() - NOTIFIED_KEPT_NANOS;
            notifiedAt.values().removeIf(at -> at < oldest);
        });
        this.listener = new PgListener(vertx, connections.options())
                .on("harrier_events", this::onNotified)
                .onConnect(this::wakeEveryone)
                .onConnect(this::catchUpStatusChanges);
    }

    void onStart(@Observes StartupEvent event) {
        listener.start().subscribe().with(ok -> { }, failure -> LOG.warnf("event streams start without LISTEN: %s", failure.getMessage()));
    }

    void onStop(@Observes ShutdownEvent event) {
        listener.stop().subscribe().with(ok -> { }, failure -> { });
    }

    public boolean listening() {
        return listener.connected();
    }

    /**
     * A one-shot signal for new events of a job. Arm it before reading the table, then wait on it
     * only if the read found nothing: an event written between the two is then never missed.
     */
    public CompletableFuture<Void> arm(UUID jobId) {
        CompletableFuture<Void> signal = new CompletableFuture<>();
        waiting.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(signal);
        return signal;
    }

    /**
     * When the latest notification for a followed job arrived ({@link Long#MAX_VALUE} when
     * unknown). A read that started after it has seen every event announced so far, so streams
     * may share it; an older read may not have.
     */
    public long lastNotified(UUID jobId) {
        return notifiedAt.getOrDefault(jobId, Long.MAX_VALUE);
    }

    /** Forgets a signal that is no longer waited on. */
    public void disarm(UUID jobId, CompletableFuture<Void> signal) {
        waiting.computeIfPresent(jobId, (id, list) -> {
            list.remove(signal);
            return list.isEmpty() ? null : list;
        });
    }

    /** Receives every status change (of every workspace), in batches; unsubscribe with the returned handle. */
    public Runnable subscribeToStatusChanges(Consumer<List<StatusChange>> subscriber) {
        statusSubscribers.add(subscriber);
        return () -> statusSubscribers.remove(subscriber);
    }

    private void onNotified(String payload) {
        List<EventRef> refs = EventRef.parse(payload);
        long now = System.nanoTime();
        for (EventRef ref : refs) {
            List<CompletableFuture<Void>> signals = waiting.remove(ref.jobId());
            if (signals != null || notifiedAt.containsKey(ref.jobId())) {
                notifiedAt.put(ref.jobId(), now);
            }
            if (signals != null) {
                signals.forEach(signal -> signal.complete(null));
            }
        }
        if (!statusSubscribers.isEmpty() && !refs.isEmpty()) {
            readStatusChanges(refs).subscribe().with(
                    changes -> statusSubscribers.forEach(s -> s.accept(changes)),
                    failure -> LOG.warnf("reading status changes for the workspace streams failed: %s", failure.getMessage()));
        }
    }

    private Uni<List<StatusChange>> readStatusChanges(List<EventRef> refs) {
        UUID[] ids = refs.stream().map(EventRef::jobId).toArray(UUID[]::new);
        Long[] seqs = refs.stream().map(EventRef::seq).toArray(Long[]::new);
        return pool.preparedQuery(STATUS_EVENTS_OF).execute(Tuple.of(ids, seqs)).map(this::toChanges);
    }

    private List<StatusChange> toChanges(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<StatusChange> changes = new java.util.ArrayList<>();
        for (Row row : rows) {
            changes.add(new StatusChange(row.getUUID("job_id"), row.getLong("seq"), row.getString("event")));
            java.time.OffsetDateTime at = row.getOffsetDateTime("at");
            lastStatusAt.accumulateAndGet(at, (a, b) -> a == null || b.isAfter(a) ? b : a);
        }
        return changes;
    }

    /**
     * After a reconnect, the status changes announced while the connection was down are read from
     * the table (from a little before the last one seen) and handed to the workspace streams;
     * those streams drop what they already sent.
     */
    private void catchUpStatusChanges() {
        java.time.OffsetDateTime since = lastStatusAt.get();
        if (since == null || statusSubscribers.isEmpty()) {
            return;
        }
        pool.preparedQuery(STATUS_EVENTS_SINCE).execute(Tuple.of(since.minusSeconds(1)))
                .map(this::toChanges)
                .subscribe().with(
                        changes -> statusSubscribers.forEach(s -> s.accept(changes)),
                        failure -> LOG.warnf("catching up status changes failed: %s", failure.getMessage()));
    }

    private void wakeEveryone() {
        waiting.keySet().forEach(id -> {
            List<CompletableFuture<Void>> signals = waiting.remove(id);
            if (signals != null) {
                signals.forEach(signal -> signal.complete(null));
            }
        });
    }

}
