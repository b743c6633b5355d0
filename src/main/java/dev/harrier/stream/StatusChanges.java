package dev.harrier.stream;

import dev.harrier.notify.Channel;
import dev.harrier.notify.EventRef;
import dev.harrier.notify.Notifier;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Status changes of every workspace, for the workspace streams of this instance: read once here
 * for all of them, from the events the instance's {@link Notifier} announces (channel
 * {@code harrier_events}), with one read in flight and what is announced meanwhile read by the
 * next; after the LISTEN connection was down, the changes announced meanwhile are read from the
 * table (catch-up). Nothing is read while no workspace stream is open.
 */
@ApplicationScoped
public class StatusChanges {

    private static final Logger LOG = Logger.getLogger(StatusChanges.class);

    /**
     * A status change, as the workspace streams need it: the job, the event's number and its data
     * (null for a new job's first status, sequence number 0).
     */
    public record StatusChange(UUID jobId, long seq, String eventJson) {
    }

    private final Pool pool;
    // Announced status refs not yet read, and whether a read is in flight; guarded by `wanted`.
    private final List<EventRef> wanted = new ArrayList<>();
    private boolean readingStatusChanges;
    private final Set<Consumer<List<StatusChange>>> statusSubscribers = ConcurrentHashMap.newKeySet();
    private final AtomicReference<OffsetDateTime> lastStatusAt = new AtomicReference<>();

    public StatusChanges(Pool pool, Notifier notifier) {
        this.pool = pool;
        notifier.subscribe(Channel.EVENTS, this::onNotified);
        notifier.onReconnect(this::catchUpStatusChanges);
    }

    /** Receives every status change (of every workspace), in batches; unsubscribe with the returned handle. */
    public Runnable subscribeToStatusChanges(Consumer<List<StatusChange>> subscriber) {
        if (statusSubscribers.isEmpty()) {
            // Nothing was read while no one listened: a catch-up after a reconnect starts now,
            // not at the last change read before (which may be hours old). "Now" is the
            // database's clock, which stamps the events. (One caller, WorkspaceFeed, under its lock.)
            lastStatusAt.set(null);
            pool.query(Table.JOB_EVENTS.sql("database_now")).execute().subscribe().with(
                    rows -> lastStatusAt.compareAndSet(null, rows.iterator().next().getOffsetDateTime("at")),
                    failure -> LOG.debugf("no catch-up mark for status changes: %s", failure.getMessage()));
        }
        statusSubscribers.add(subscriber);
        return () -> statusSubscribers.remove(subscriber);
    }

    /** Whether status changes are read (some workspace stream is open on this instance). */
    public boolean readsStatusChanges() {
        return !statusSubscribers.isEmpty();
    }

    private void onNotified(String payload) {
        // Every instance hears every event of a drain: with no workspace stream open, nothing is parsed.
        if (statusSubscribers.isEmpty()) {
            return;
        }
        List<EventRef> refs = EventRef.parse(payload);
        if (!refs.isEmpty()) {
            wantStatusChanges(refs);
        }
    }

    /**
     * One read of status changes in flight, the refs announced meanwhile read together by the next
     * one: a drain announces events far faster than one query per notification would keep up with.
     */
    private void wantStatusChanges(List<EventRef> refs) {
        synchronized (wanted) {
            wanted.addAll(refs);
            if (readingStatusChanges) {
                return;
            }
            readingStatusChanges = true;
        }
        readWantedStatusChanges();
    }

    private void readWantedStatusChanges() {
        List<EventRef> batch;
        synchronized (wanted) {
            if (wanted.isEmpty()) {
                readingStatusChanges = false;
                return;
            }
            batch = new ArrayList<>(wanted);
            wanted.clear();
        }
        readStatusChanges(batch).subscribe().with(
                changes -> {
                    statusSubscribers.forEach(s -> s.accept(changes));
                    readWantedStatusChanges();
                },
                failure -> {
                    LOG.warnf("reading status changes for the workspace streams failed: %s", failure.getMessage());
                    readWantedStatusChanges();
                });
    }

    /**
     * The status changes among the announced events. A new job is announced as its sequence
     * number 0, which has no event row: its change carries no event data (the job's document is
     * its first status).
     */
    private Uni<List<StatusChange>> readStatusChanges(List<EventRef> refs) {
        List<StatusChange> created = new ArrayList<>();
        List<EventRef> later = new ArrayList<>(refs.size());
        for (EventRef ref : refs) {
            if (ref.seq() == 0) {
                created.add(new StatusChange(ref.jobId(), 0, null));
            } else {
                later.add(ref);
            }
        }
        if (later.isEmpty()) {
            return Uni.createFrom().item(created);
        }
        UUID[] ids = later.stream().map(EventRef::jobId).toArray(UUID[]::new);
        Long[] seqs = later.stream().map(EventRef::seq).toArray(Long[]::new);
        return pool.preparedQuery(Table.JOB_EVENTS.sql("list_status_of")).execute(Tuple.of(ids, seqs))
                .map(this::toChanges)
                .map(changes -> {
                    created.addAll(changes);
                    return created;
                });
    }

    private List<StatusChange> toChanges(RowSet<Row> rows) {
        List<StatusChange> changes = new ArrayList<>();
        for (Row row : rows) {
            changes.add(new StatusChange(row.getUUID("job_id"), row.getLong("seq"), row.getString("event")));
            OffsetDateTime at = row.getOffsetDateTime("at");
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
        OffsetDateTime since = lastStatusAt.get();
        if (since == null || statusSubscribers.isEmpty()) {
            return;
        }
        pool.preparedQuery(Table.JOB_EVENTS.sql("list_status_since")).execute(Tuple.of(since.minusSeconds(1)))
                .map(this::toChanges)
                .subscribe().with(
                        changes -> statusSubscribers.forEach(s -> s.accept(changes)),
                        failure -> LOG.warnf("catching up status changes failed: %s", failure.getMessage()));
    }
}
