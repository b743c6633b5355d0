package dev.harrier.events;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The cross-instance bridge for event streams, on the instance's {@link Notifier} (channel
 * {@code harrier_events}). A notification only says "job X has new events up to seq N"; the streams read the
 * events themselves from the table, so a lost or merged notification loses nothing, it only
 * delays (the followers of a job also re-read on their keep-alive tick). Status changes are also read once
 * here, for every workspace stream of this instance together.
 */
@ApplicationScoped
public class EventBridge {

    private static final Logger LOG = Logger.getLogger(EventBridge.class);

    /**
     * A status change, as the workspace streams need it: the job, the event's number and its data
     * (null for a new job's first status, sequence number 0).
     */
    public record StatusChange(UUID jobId, long seq, String eventJson) {
    }




    private final Pool pool;
    private final Notifier notifier;
    // Announced status refs not yet read, and whether a read is in flight; guarded by `wanted`.
    private final List<EventRef> wanted = new ArrayList<>();
    private boolean readingStatusChanges;
    private final List<JobFollower> jobFollowers = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectFollowers = new CopyOnWriteArrayList<>();
    private final Set<Consumer<List<StatusChange>>> statusSubscribers = ConcurrentHashMap.newKeySet();
    private final AtomicReference<OffsetDateTime> lastStatusAt = new AtomicReference<>();

    public EventBridge(Pool pool, Notifier notifier) {
        this.pool = pool;
        this.notifier = notifier;
        notifier.subscribe(Channel.EVENTS, this::onNotified);
        notifier.onReconnect(this::wakeEveryone);
        notifier.onReconnect(this::catchUpStatusChanges);
    }

    public boolean listening() {
        return notifier.connected();
    }

    /**
     * Hands every announced event (of any job, any instance) to {@code announced} while some
     * follower's {@code following} says it follows a job, and calls {@code reconnected} after the LISTEN
     * connection was down (anything may have been missed). A follower that starts to follow a job
     * reads its events itself: what was announced before is not replayed.
     */
    public void followJobEvents(BooleanSupplier following, Consumer<EventRef> announced, Runnable reconnected) {
        jobFollowers.add(new JobFollower(following, announced));
        reconnectFollowers.add(reconnected);
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
        // Every instance hears every event of a drain: with no stream open, nothing is parsed.
        boolean following = jobFollowers.stream().anyMatch(follower -> follower.following().getAsBoolean());
        if (!following && statusSubscribers.isEmpty()) {
            return;
        }
        List<EventRef> refs = EventRef.parse(payload);
        for (EventRef ref : refs) {
            jobFollowers.forEach(follower -> follower.announced().accept(ref));
        }
        if (!statusSubscribers.isEmpty() && !refs.isEmpty()) {
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

    private record JobFollower(BooleanSupplier following, Consumer<EventRef> announced) {
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

    private void wakeEveryone() {
        reconnectFollowers.forEach(Runnable::run);
    }

}
