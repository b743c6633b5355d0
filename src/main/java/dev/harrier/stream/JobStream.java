package dev.harrier.stream;

import dev.harrier.document.ApiProblem;
import dev.harrier.document.JobDocument;
import dev.harrier.document.Problem;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The event stream of one job. Pages are taken as the client reads (demand drives them, so a client
 * that stops reading holds one page at most and costs the engine nothing). A stream that is up to
 * date takes its pages from the job's {@link JobFeed}, read once for every stream of the job on
 * this instance; a stream behind the feed (a resume from far back) reads the events table itself.
 *
 * <ul>
 *   <li>A new stream starts with the job's current document as a {@code status} event whose id is
 *   the job's latest sequence number.</li>
 *   <li>A resumed stream ({@code Last-Event-ID: n}) starts with the current document without an
 *   id (it moves no cursor), then every event after {@code n}, in order. An {@code n} beyond the
 *   job's latest event is treated as no id at all: the stream starts as a new one.</li>
 *   <li>The stream ends after the terminal {@code status} event.</li>
 * </ul>
 */
@ApplicationScoped
public class JobStream {

    private static final int PAGE = 100;

    private final JobActions actions;
    private final JobFeeds feeds;
    private final JobEventFormat format;

    public JobStream(JobActions actions, JobFeeds feeds, JobEventFormat format) {
        this.actions = actions;
        this.feeds = feeds;
        this.format = format;
    }

    /** Where a stream is: the last sequence number sent, and whether the terminal status went out. */
    private static final class Cursor {
        long seq;
        boolean ended;
    }

    /** The stream of a job; {@code api.StreamGuard} has checked, before the response started, that it exists. */
    public Multi<OutboundSseEvent> open(String workspace, UUID jobId, Long lastEventId) {
        return actions.get(workspace, jobId)
                .map(found -> found.orElseThrow(() -> new ApiProblem(Problem.notFound("No job " + jobId))))
                .onItem().transformToMulti(job -> stream(job, lastEventId));
    }

    private Multi<OutboundSseEvent> stream(Job job, Long lastEventId) {
        Cursor cursor = new Cursor();
        // An id from the future (another job's stream, a restored database, a hand-made header) can
        // never be caught up with: the stream resyncs as a new one would, or it would never end.
        boolean fresh = lastEventId == null || lastEventId > job.lastEventSeq();
        cursor.seq = fresh ? job.lastEventSeq() : lastEventId;
        Multi<OutboundSseEvent> first = Multi.createFrom()
                .item(format.statusEvent(JobDocument.of(job), fresh ? job.lastEventSeq() : null));
        // A resumed stream that already has every event up to the terminal one ends at once too:
        // EventSource reconnects by itself, and would otherwise wait on keep-alives forever.
        cursor.ended = job.status().terminal() && (fresh || lastEventId >= job.lastEventSeq());
        if (cursor.ended) {
            return first;
        }
        JobFeed feed = feeds.follow(job.id(), job.lastEventSeq());
        Multi<OutboundSseEvent> rest = Multi.createBy().repeating()
                .uni(() -> nextPage(feed, cursor))
                .whilst(page -> !cursor.ended)
                .onItem().transformToIterable(page -> page);
        return Multi.createBy().concatenating().streams(first, rest)
                .onTermination().invoke(() -> feeds.leave(feed));
    }

    /** The next events after the cursor; if there are none, waits for the feed to grow or tick. */
    private Uni<List<OutboundSseEvent>> nextPage(JobFeed feed, Cursor cursor) {
        JobFeed.Slice slice = feed.after(cursor.seq, PAGE);
        if (slice.behind()) {
            // Empty only if the job's events were pruned meanwhile: then wait like an idle stream.
            return readPage(feed.jobId, cursor)
                    .flatMap(page -> page.isEmpty() ? idle(slice.wake()) : Uni.createFrom().item(page));
        }
        if (!slice.events().isEmpty()) {
            cursor.seq = slice.lastSeq();
            cursor.ended = slice.terminal();
            return Uni.createFrom().item(slice.events());
        }
        return idle(slice.wake());
    }

    /** Nothing to send until the feed grows (then an empty page: ask again) or ticks (a keep-alive). */
    private static Uni<List<OutboundSseEvent>> idle(CompletableFuture<Boolean> wake) {
        // On a copy: cancelling this stream (its client went away) must not cancel the feed's signal.
        return Uni.createFrom().completionStage(wake::copy)
                .map(grew -> grew ? List.of() : List.of(JobEventFormat.keepAlive()));
    }

    /** A page read from the table, for a stream behind its job's feed. */
    private Uni<List<OutboundSseEvent>> readPage(UUID jobId, Cursor cursor) {
        return feeds.page(jobId, cursor.seq, PAGE)
                .map(entries -> take(entries, cursor));
    }

    /** The events of a page, up to and including a terminal one; moves the cursor past them. */
    private static List<OutboundSseEvent> take(List<JobFeed.Entry> entries, Cursor cursor) {
        List<OutboundSseEvent> out = new ArrayList<>(entries.size());
        for (JobFeed.Entry entry : entries) {
            cursor.seq = entry.seq();
            out.add(entry.event());
            if (entry.terminal()) {
                cursor.ended = true;
                break;
            }
        }
        return out;
    }
}
