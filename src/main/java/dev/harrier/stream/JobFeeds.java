package dev.harrier.stream;

import dev.harrier.config.HarrierConfig;
import dev.harrier.events.EventStore;
import dev.harrier.events.JobEvent;
import dev.harrier.notify.EventRef;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The {@link JobFeed}s of the jobs that streams of this instance follow. A notification of new
 * events (any instance) makes the job's feed read them once. Twice per keep-alive period every
 * feed wakes its idle streams to send a keep-alive comment (without the database, which may be
 * down), and once per period it reads again: a lost notification delays an event by at most that.
 * Measured with 1,000 streams on 100 jobs in bench/README.md.
 */
@ApplicationScoped
public class JobFeeds {

    private static final Logger LOG = Logger.getLogger(JobFeeds.class);
    private static final int READ_PAGE = 200;
    // A read that has not answered in this long is given up, so that the feed can read again.
    private static final long STALE_READ_NANOS = 30_000_000_000L;

    private final EventStore events;
    private final JobActions actions;
    private final JobEventFormat format;
    private final Map<UUID, JobFeed> feeds = new ConcurrentHashMap<>();
    private final Vertx vertx;
    private final long ticker;
    private long ticks;

    public JobFeeds(EventStore events, JobActions actions, JobEventFormat format, JobAnnouncements announcements, Vertx vertx,
                    HarrierConfig config, MeterRegistry meters) {
        this.events = events;
        Gauge.builder("harrier.streams.jobs.followed", feeds, Map::size)
                .description("Jobs whose events the job streams of this instance follow (one feed each)").register(meters);
        this.actions = actions;
        this.format = format;
        this.vertx = vertx;
        announcements.followJobEvents(() -> !feeds.isEmpty(), this::announced, this::reconnected);
        long half = Math.max(1, config.api().keepAlive().toMillis() / 2);
        this.ticker = vertx.setPeriodic(half, id -> tick());
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(ticker);
    }

    private void tick() {
        boolean readToo = ticks++ % 2 == 0;
        for (JobFeed feed : feeds.values()) {
            feed.tick();
            if (readToo) {
                read(feed);
            }
        }
    }

    /** Joins the feed of a job, created at {@code knownSeq} (the job's latest event as just read) if new. */
    JobFeed follow(UUID jobId, long knownSeq) {
        boolean[] created = {false};
        JobFeed feed = feeds.compute(jobId, (id, existing) -> {
            JobFeed joined = existing;
            if (joined == null) {
                joined = new JobFeed(id, knownSeq);
                created[0] = true;
            }
            joined.join();
            return joined;
        });
        if (created[0]) {
            // An event announced between the caller's read of the job and now is not missed.
            read(feed);
        }
        return feed;
    }

    void leave(JobFeed feed) {
        feeds.computeIfPresent(feed.jobId, (id, current) -> current == feed && feed.leave() ? null : current);
    }


    private void announced(EventRef ref) {
        JobFeed feed = feeds.get(ref.jobId());
        if (feed != null && ref.seq() > feed.readUpTo()) {
            read(feed);
        }
    }

    private void reconnected() {
        feeds.values().forEach(this::read);
    }

    private void read(JobFeed feed) {
        JobFeed.Read read = feed.startRead(System.nanoTime(), STALE_READ_NANOS);
        if (read == null) {
            return;
        }
        page(feed.jobId, read.after(), READ_PAGE)
                .subscribe().with(
                        entries -> {
                            if (feed.finishRead(read.number(), entries, entries.size() == READ_PAGE)) {
                                read(feed);
                            }
                        },
                        failure -> {
                            LOG.debugf("reading the events of job %s failed: %s", feed.jobId, failure.getMessage());
                            feed.readFailed(read.number());
                        });
    }

    /**
     * Up to {@code limit} events of a job after {@code afterSeq}, formatted: what the feed reads,
     * and what a stream behind its feed reads for itself.
     */
    Uni<List<JobFeed.Entry>> page(UUID jobId, long afterSeq, int limit) {
        return events.after(jobId, afterSeq, limit)
                .flatMap(this::formatted);
    }

    /** The events formatted once for all streams; a page with a status change reads the job too. */
    private Uni<List<JobFeed.Entry>> formatted(List<JobEvent> page) {
        if (page.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        boolean hasStatus = page.stream().anyMatch(e -> e.type().equals("status"));
        Uni<Job> current = hasStatus
                ? actions.get(page.get(0).jobId()).map(found -> found.orElse(null))
                : Uni.createFrom().nullItem();
        return current.map(job -> {
            List<JobFeed.Entry> entries = new ArrayList<>(page.size());
            for (JobEvent event : page) {
                OutboundSseEvent formatted = format.toSseOrRaw(event, job);
                entries.add(new JobFeed.Entry(event.seq(), formatted, JobEventFormat.isTerminal(event),
                        String.valueOf(formatted.getData()).length() + 64));
            }
            return entries;
        });
    }
}
