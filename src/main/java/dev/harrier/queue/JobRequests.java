package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.handler.FieldProblem;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an enqueue body given as JSON (a {@code then} link once filled, an {@code each} child) into
 * a {@link JobRequest}: every field of the API's enqueue body but {@code parentId}, with the type
 * the API gives it. A field of the wrong type, or one the body does not know, is a problem.
 */
public final class JobRequests {

    private static final Set<String> FIELDS = Set.of("kind", "queue", "args", "priority", "runAt", "maxAttempts",
            "timeoutSeconds", "uniqueKey", "tags", "childFailure", "then", "callback", "backoff");

    private JobRequests() {
    }

    /** The request, or null with the problems added (named by their field in the body). */
    public static JobRequest read(JsonNode body, List<FieldProblem> problems) {
        if (body == null || !body.isObject()) {
            problems.add(new FieldProblem("job", "must be an enqueue body (a JSON object)"));
            return null;
        }
        int before = problems.size();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(new FieldProblem(name, "is not a field of an enqueue body here"));
            }
        }
        String kind = text(body, "kind", problems);
        String queue = text(body, "queue", problems);
        Integer priority = integer(body, "priority", problems);
        Integer maxAttempts = integer(body, "maxAttempts", problems);
        Integer timeoutSeconds = integer(body, "timeoutSeconds", problems);
        String uniqueKey = text(body, "uniqueKey", problems);
        String childFailure = text(body, "childFailure", problems);
        Instant runAt = null;
        String runAtText = text(body, "runAt", problems);
        if (runAtText != null) {
            try {
                runAt = Instant.parse(runAtText);
            } catch (DateTimeParseException e) {
                problems.add(new FieldProblem("runAt", "must be an instant like 2026-01-01T00:00:00Z"));
            }
        }
        List<String> tags = null;
        JsonNode tagNode = body.get("tags");
        if (tagNode != null && !tagNode.isNull()) {
            if (!tagNode.isArray()) {
                problems.add(new FieldProblem("tags", "must be a list of texts"));
            } else {
                tags = new ArrayList<>();
                for (int i = 0; i < tagNode.size(); i++) {
                    if (!tagNode.get(i).isTextual()) {
                        problems.add(new FieldProblem("tags[" + i + "]", "must be a text"));
                    } else {
                        tags.add(tagNode.get(i).textValue());
                    }
                }
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new JobRequest(kind, queue, body.get("args"), priority, runAt, maxAttempts, timeoutSeconds, uniqueKey, tags,
                null, childFailure, body.get("then"), body.get("callback"), body.get("backoff"));
    }

    private static String text(JsonNode body, String field, List<FieldProblem> problems) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(new FieldProblem(field, "must be a text"));
            return null;
        }
        return value.textValue();
    }

    private static Integer integer(JsonNode body, String field, List<FieldProblem> problems) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            problems.add(new FieldProblem(field, "must be a whole number"));
            return null;
        }
        return value.intValue();
    }
}
