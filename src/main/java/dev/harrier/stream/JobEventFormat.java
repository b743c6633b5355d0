package dev.harrier.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.document.JobDocument;
import dev.harrier.events.JobEvent;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.jaxrs.SseImpl;

/**
 * Job events as the job and workspace streams send them. A {@code status} event carries the job's document: the
 * current one for the job's latest event, the document as of that status for an older one.
 * Every event is built from one {@link Sse}, Quarkus REST's (the one a resource's {@code @Context}
 * receives; it holds no state), not from whichever request last opened a stream.
 */
@ApplicationScoped
public class JobEventFormat {

    private static final Logger LOG = Logger.getLogger(JobEventFormat.class);
    private static final Sse SSE = SseImpl.INSTANCE;

    private final ObjectMapper mapper;

    public JobEventFormat(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code job} is the job as read after the event was (null when the page has no status event). */
    OutboundSseEvent toSse(JobEvent event, Job job) {
        return switch (event.type()) {
            case "status" -> statusEvent(job == null ? null : documentAt(job, event.seq(), event.dataJson()), event.seq());
            case "log" -> {
                JsonObject data = new JsonObject(event.dataJson());
                yield event("log", event.seq(), new JsonObject()
                        .put("seq", event.seq()).put("at", event.at().toString())
                        .put("level", data.getString("level")).put("message", data.getString("message")).encode());
            }
            default -> event(event.type(), event.seq(), event.dataJson());
        };
    }

    /**
     * The same, but an event that cannot be formatted (stored data that is not what this version
     * writes) goes out as stored, so that it cannot stop its job's feed.
     */
    OutboundSseEvent toSseOrRaw(JobEvent event, Job job) {
        try {
            return toSse(event, job);
        } catch (RuntimeException e) {
            LOG.warnf("event %d of job %s sent as stored: %s", event.seq(), event.jobId(), e.getMessage());
            return event(event.type(), event.seq(), event.dataJson());
        }
    }

    static boolean isTerminal(JobEvent event) {
        if (!event.type().equals("status")) {
            return false;
        }
        try {
            String status = new JsonObject(event.dataJson()).getString("status");
            return status != null && JobStatus.fromWire(status).terminal();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The job's document as a status event shows it: the current document for the job's latest
     * event, the document as of that status for an older one ({@code statusJson} is the event's data).
     */
    static JobDocument documentAt(Job job, long seq, String statusJson) {
        JobDocument document = JobDocument.of(job);
        if (seq == job.lastEventSeq()) {
            return document;
        }
        JsonObject data = new JsonObject(statusJson);
        return document.asOf(data.getString("status"), data.getInteger("attempt", 0));
    }

    String json(JobDocument document) {
        try {
            return mapper.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    OutboundSseEvent statusEvent(JobDocument document, Long id) {
        return event("status", id, json(document));
    }

    static OutboundSseEvent keepAlive() {
        return SSE.newEventBuilder().comment("keep-alive").build();
    }

    /** A comment, with the event id a reconnect sends back (a stream's first line). */
    static OutboundSseEvent comment(String comment, String id) {
        return SSE.newEventBuilder().comment(comment).id(id).build();
    }

    static OutboundSseEvent event(String name, String id, String json) {
        return SSE.newEventBuilder().name(name).id(id).data(json).build();
    }

    static OutboundSseEvent event(String name, Long id, String json) {
        OutboundSseEvent.Builder builder = SSE.newEventBuilder().name(name).data(json);
        if (id != null) {
            builder.id(Long.toString(id));
        }
        return builder.build();
    }
}
