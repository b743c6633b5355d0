package dev.harrier.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * The data of each Server-Sent Event, in the OpenAPI document: OpenAPI has no way to type an event
 * stream, so each stream's 200 response lists its events under {@code x-events} (event name to
 * schema), and the schemas the events carry are components like any other.
 */
final class StreamEventSchemas {

    private StreamEventSchemas() {
    }

    static void addTo(Components components) {
        components.addSchema("ProgressEvent", object(ordered(
                "step", type(Schema.SchemaType.STRING), "details", type(Schema.SchemaType.STRING),
                "done", type(Schema.SchemaType.INTEGER), "total", type(Schema.SchemaType.INTEGER)),
                "event: progress; the job's latest progress report"));
        components.addSchema("ItemEvent", object(ordered(
                "index", type(Schema.SchemaType.INTEGER), "status", type(Schema.SchemaType.STRING).description("ok or failed"),
                "httpStatus", type(Schema.SchemaType.INTEGER)),
                "event: item; a fan-out item finished (its result: GET /api/v1/jobs/{id}/items)"));
        components.addSchema("ChildEvent", object(ordered(
                "id", type(Schema.SchemaType.STRING), "kind", type(Schema.SchemaType.STRING),
                "status", type(Schema.SchemaType.STRING).description("completed, failed or cancelled")),
                "event: child; a direct child of the job ended (its counts: the job's children)"));
        components.addSchema("CountsEvent", object(ordered(
                "at", type(Schema.SchemaType.STRING).description("the database's time of the counts"),
                "queues", type(Schema.SchemaType.ARRAY).items(object(ordered(
                        "name", type(Schema.SchemaType.STRING),
                        "counts", type(Schema.SchemaType.OBJECT).description("jobs by status: scheduled, pending, running, "
                                + "retrying, waiting, completed, failed, cancelled"),
                        "oldestPendingAgeSeconds", type(Schema.SchemaType.INTEGER),
                        "finished", type(Schema.SchemaType.OBJECT).description("jobs finished since the previous counts event: "
                                + "completed, failed, cancelled")), "one queue"))),
                "event: counts; every 2 s, the workspace's queues (or the stream's queue)"));
        components.addSchema("ResetEvent", object(ordered("reason", type(Schema.SchemaType.STRING)),
                "event: reset; the first event of a workspace stream opened with Last-Event-ID: changes made while "
                        + "the client was away are not replayed, re-read the jobs you show"));
    }

    static void describe(String path, Operation operation) {
        Map<String, Object> events = new LinkedHashMap<>();
        if (path.equals("/api/v1/jobs/{id}/events")) {
            events.put("status", ref("JobDocument"));
            events.put("progress", ref("ProgressEvent"));
            events.put("log", ref("LogLine"));
            events.put("item", ref("ItemEvent"));
            events.put("child", ref("ChildEvent"));
        } else if (path.equals("/api/v1/events")) {
            events.put("status", ref("JobDocument"));
            events.put("counts", ref("CountsEvent"));
            events.put("reset", ref("ResetEvent"));
        } else {
            return;
        }
        APIResponse ok = operation.getResponses() == null ? null : operation.getResponses().getAPIResponse("200");
        if (ok != null) {
            ok.addExtension("x-events", events);
        }
    }

    /** Properties in the order given, so that the document is the same from build to build. */
    private static Map<String, Schema> ordered(Object... namesAndSchemas) {
        Map<String, Schema> properties = new LinkedHashMap<>();
        for (int i = 0; i < namesAndSchemas.length; i += 2) {
            properties.put((String) namesAndSchemas[i], (Schema) namesAndSchemas[i + 1]);
        }
        return properties;
    }

    private static Map<String, String> ref(String schema) {
        return Map.of("$ref", "#/components/schemas/" + schema);
    }

    private static Schema type(Schema.SchemaType type) {
        return OASFactory.createSchema().addType(type);
    }

    private static Schema object(Map<String, Schema> properties, String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).properties(new LinkedHashMap<>(properties))
                .description(description);
    }
}
