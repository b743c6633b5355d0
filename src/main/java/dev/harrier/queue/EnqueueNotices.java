package dev.harrier.queue;

import dev.harrier.notify.Channel;
import dev.harrier.notify.Notifier;
import dev.harrier.notify.Payloads;
import dev.harrier.sql.Table;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sends the notifications of enqueues made on the pool after they commit, many enqueues' in one
 * transaction: the wake-up of each queue that got a pending job, and the announcement of every new
 * job to the workspace streams; and the announcement of remote workers' claims (their running
 * events), for the same reason. One send is in flight at a time; what is added meanwhile goes in
 * the next, so a lone enqueue is announced one round trip after its commit, and a thousand
 * concurrent ones in a few transactions.
 *
 * <p>This instance's own subscribers (its engine's producers, its remote workers' claims waiting)
 * are woken at the commit, before the send: the notification names this instance as its origin
 * ({@link Notifier#origin}), and this instance's listener drops it when it comes back. A lone job
 * so waits for no round trip before this instance claims it, and is not claimed for twice.
 *
 * <p>Why not in the enqueue's own transaction: a transaction that commits with a pending NOTIFY
 * holds a lock global to the PostgreSQL cluster through its WAL flush, so notifying commits run one
 * after the other instead of sharing flushes. Single-job enqueues from 16 clients committed 455
 * times a second that way through the API (bench/README.md, "The notification lock"). A
 * notification lost between a commit and its send (the instance dies) only delays: the poll claims
 * the job, and a workspace stream shows it at its next status change.
 */
@ApplicationScoped
public class EnqueueNotices {

    private static final Logger LOG = Logger.getLogger(EnqueueNotices.class);

    private final Pool pool;
    private final Notifier notifier;
    // The queues to wake, by "workspace/queue": each once per send.
    private final Map<String, String[]> queues = new LinkedHashMap<>();
    private final List<UUID> jobs = new ArrayList<>();
    // The sequence number each is announced with: 0 for a new job, its event's for a status change.
    private final List<Long> seqs = new ArrayList<>();
    private boolean sending;

    public EnqueueNotices(Pool pool, Notifier notifier) {
        this.pool = pool;
        this.notifier = notifier;
    }

    /** Jobs that were just committed: they are announced, and the queues of the pending ones woken. */
    void committed(List<Job> inserted) {
        if (inserted.isEmpty()) {
            return;
        }
        Map<String, String[]> woken = new LinkedHashMap<>();
        for (Job job : inserted) {
            if (job.status() == JobStatus.PENDING) {
                woken.putIfAbsent(Payloads.queueKey(job.workspace(), job.queue()), new String[] {job.workspace(), job.queue()});
            }
        }
        // This instance's own subscribers first, outside the lock: the send tells the others.
        woken.keySet().forEach(key -> notifier.deliverHere(Channel.JOBS, key));
        synchronized (this) {
            for (Job job : inserted) {
                jobs.add(job.id());
                seqs.add(0L);
            }
            woken.forEach(queues::putIfAbsent);
            if (sending) {
                return; // the send in flight sends these after it
            }
            sending = true;
        }
        send();
    }

    /**
     * Jobs whose latest event (a status change: a remote worker's claim) was just committed:
     * announced to the streams with that event's sequence number; no queue is woken.
     */
    void announced(List<Job> changed) {
        if (changed.isEmpty()) {
            return;
        }
        synchronized (this) {
            for (Job job : changed) {
                jobs.add(job.id());
                seqs.add(job.lastEventSeq());
            }
            if (sending) {
                return;
            }
            sending = true;
        }
        send();
    }

    private void send() {
        String[] workspaces;
        String[] queueNames;
        UUID[] ids;
        Long[] sequence;
        synchronized (this) {
            if (jobs.isEmpty()) {
                sending = false;
                return;
            }
            workspaces = queues.values().stream().map(k -> k[0]).toArray(String[]::new);
            queueNames = queues.values().stream().map(k -> k[1]).toArray(String[]::new);
            ids = jobs.toArray(UUID[]::new);
            sequence = seqs.toArray(Long[]::new);
            queues.clear();
            jobs.clear();
            seqs.clear();
        }
        pool.preparedQuery(Table.JOBS.sql("notify_enqueued"))
                .execute(Tuple.of(workspaces, queueNames, ids, sequence, notifier.origin()))
                .subscribe().with(
                        sent -> send(),
                        failure -> {
                            // Not retried: the poll and the next status change stand in for it.
                            LOG.warnf("the notifications of %d enqueued or claimed jobs could not be sent: %s", ids.length,
                                    failure.getMessage());
                            send();
                        });
    }
}
