package dev.harrier.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.api.auth.Caller;
import dev.harrier.config.HarrierConfig;
import dev.harrier.progress.EventBridge;
import dev.harrier.progress.EventStore;
import dev.harrier.progress.JobEvent;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The event stream of one job. The events table is the record, read in pages as the client takes
 * them (demand drives the reads, so a client that stops reading holds one page at most and costs
 * the engine nothing); a notification, or the keep-alive tick, is only the cue to read again.
 *
 * <ul>
 *   <li>A new stream starts with the job's current document as a {@code status} event whose id is
 *   the job's latest sequence number.</li>
 *   <li>A resumed stream ({@code Last-Event-ID: n}) starts with the current document without an
 *   id (it moves no cursor), then every event after {@code n}, in order.</li>
 *   <li>The stream ends after the terminal {@code status} event.</li>
 * </ul>
 */
@ApplicationScoped
public class JobStream {

    private static final int PAGE = 100;

    private final JobActions actions;
    private final EventStore events;
    private final EventBridge bridge;
    private final ObjectMapper mapper;
    private final HarrierConfig config;

    public JobStream(JobActions actions, EventStore events, EventBridge bridge, ObjectMapper mapper, HarrierConfig config) {
        this.actions = actions;
        this.events = events;
        this.bridge = bridge;
        this.mapper = mapper;
        this.config = config;
    }

    /** Where a stream is: the last sequence number sent, and whether the terminal status went out. */
    private static final class Cursor {
        long seq;
        boolean ended;
    }

    /** The stream of a job; {@link StreamGuard} has checked, before the response started, that it exists. */
    public Multi<OutboundSseEvent> open(Caller caller, UUID jobId, Long lastEventId, Sse sse) {
        return actions.get(caller.workspace(), jobId)
                .map(found -> found.orElseThrow(() -> new ApiProblem(Problem.notFound("No job " + jobId))))
                .onItem().transformToMulti(job -> stream(job, lastEventId, sse));
    }

    private Multi<OutboundSseEvent> stream(Job job, Long lastEventId, Sse sse) {
        Cursor cursor = new Cursor();
        boolean fresh = lastEventId == null;
        cursor.seq = fresh ? job.lastEventSeq() : lastEventId;
        OutboundSseEvent first = statusEvent(sse, JobDocument.of(job), fresh ? job.lastEventSeq() : null);
        // A resumed stream that already has every event up to the terminal one ends at once too:
        // EventSource reconnects by itself, and would otherwise wait on keep-alives forever.
        cursor.ended = job.status().terminal() && (fresh || lastEventId >= job.lastEventSeq());
        Multi<OutboundSseEvent> rest = Multi.createBy().repeating()
                .uni(() -> nextPage(job.id(), cursor, sse))
                .whilst(page -> !cursor.ended)
                .onItem().transformToIterable(page -> page);
        return cursor.ended ? Multi.createFrom().item(first) : Multi.createBy().concatenating().streams(Multi.createFrom().item(first), rest);
    }

    /** The next events after the cursor; if there are none, waits for a cue or the keep-alive tick. */
    private Uni<List<OutboundSseEvent>> nextPage(UUID jobId, Cursor cursor, Sse sse) {
        long notBefore = bridge.lastNotified(jobId);
        CompletableFuture<Void> cue = bridge.arm(jobId);
        return events.afterShared(jobId, cursor.seq, PAGE, notBefore)
                .flatMap(page -> {
                    if (!page.isEmpty()) {
                        bridge.disarm(jobId, cue);
                        return toSse(jobId, page, cursor, sse);
                    }
                    return Uni.createFrom().completionStage(cue)
                            .onCancellation().invoke(() -> bridge.disarm(jobId, cue))
                            .map(cued -> true)
                            .ifNoItem().after(config.api().keepAlive()).recoverWithItem(false)
                            .map(cued -> {
                                if (!cued) {
                                    bridge.disarm(jobId, cue);
                                    return List.of(sse.newEventBuilder().comment("keep-alive").build());
                                }
                                return List.<OutboundSseEvent>of();
                            });
                });
    }

    private Uni<List<OutboundSseEvent>> toSse(UUID jobId, List<JobEvent> page, Cursor cursor, Sse sse) {
        boolean hasStatus = page.stream().anyMatch(e -> e.type().equals("status"));
        Uni<Job> current = hasStatus ? actions.get(jobId).map(j -> j.orElse(null)) : Uni.createFrom().nullItem();
        return current.map(job -> {
            List<OutboundSseEvent> out = new ArrayList<>(page.size());
            for (JobEvent event : page) {
                cursor.seq = event.seq();
                out.add(toSse(event, job, sse));
                if (event.type().equals("status") && isTerminal(event)) {
                    cursor.ended = true;
                    break;
                }
            }
            return out;
        });
    }

    private OutboundSseEvent toSse(JobEvent event, Job job, Sse sse) {
        JsonObject data = new JsonObject(event.dataJson());
        return switch (event.type()) {
            case "status" -> {
                JobDocument document = job == null ? null : JobDocument.of(job);
                boolean latest = job != null && event.seq() == job.lastEventSeq();
                yield statusEvent(sse, document == null || latest ? document
                        : document.asOf(data.getString("status"), data.getInteger("attempt", 0)), event.seq());
            }
            case "log" -> event(sse, "log", event.seq(), new JsonObject()
                    .put("seq", event.seq()).put("at", event.at().toString())
                    .put("level", data.getString("level")).put("message", data.getString("message")).encode());
            default -> event(sse, event.type(), event.seq(), event.dataJson());
        };
    }

    private static boolean isTerminal(JobEvent event) {
        String status = new JsonObject(event.dataJson()).getString("status");
        return status != null && JobStatus.fromWire(status).terminal();
    }

    private OutboundSseEvent statusEvent(Sse sse, JobDocument document, Long id) {
        try {
            return event(sse, "status", id, mapper.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OutboundSseEvent event(Sse sse, String name, Long id, String json) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().name(name).mediaType(MediaType.TEXT_PLAIN_TYPE).data(json);
        if (id != null) {
            builder.id(Long.toString(id));
        }
        return builder.build();
    }
}
