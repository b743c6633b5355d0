package dev.harrier.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.progress.JobEvent;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobStatus;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * Job events as the job stream sends them. A {@code status} event carries the job's document: the
 * current one for the job's latest event, the document as of that status for an older one.
 */
@ApplicationScoped
public class JobEventFormat {

    private final ObjectMapper mapper;

    public JobEventFormat(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code job} is the job as read after the event was (null when the page has no status event). */
    OutboundSseEvent toSse(JobEvent event, Job job, Sse sse) {
        return switch (event.type()) {
            case "status" -> {
                JsonObject data = new JsonObject(event.dataJson());
                JobDocument document = job == null ? null : JobDocument.of(job);
                boolean latest = job != null && event.seq() == job.lastEventSeq();
                yield statusEvent(sse, document == null || latest ? document
                        : document.asOf(data.getString("status"), data.getInteger("attempt", 0)), event.seq());
            }
            case "log" -> {
                JsonObject data = new JsonObject(event.dataJson());
                yield event(sse, "log", event.seq(), new JsonObject()
                        .put("seq", event.seq()).put("at", event.at().toString())
                        .put("level", data.getString("level")).put("message", data.getString("message")).encode());
            }
            default -> event(sse, event.type(), event.seq(), event.dataJson());
        };
    }

    static boolean isTerminal(JobEvent event) {
        if (!event.type().equals("status")) {
            return false;
        }
        String status = new JsonObject(event.dataJson()).getString("status");
        return status != null && JobStatus.fromWire(status).terminal();
    }

    OutboundSseEvent statusEvent(Sse sse, JobDocument document, Long id) {
        try {
            return event(sse, "status", id, mapper.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static OutboundSseEvent keepAlive(Sse sse) {
        return sse.newEventBuilder().comment("keep-alive").build();
    }

    private static OutboundSseEvent event(Sse sse, String name, Long id, String json) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().name(name).mediaType(MediaType.TEXT_PLAIN_TYPE).data(json);
        if (id != null) {
            builder.id(Long.toString(id));
        }
        return builder.build();
    }
}
