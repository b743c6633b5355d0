package dev.harrier.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.JobRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The job of a schedule, stored as the enqueue body it was given (checked then), read back as a request for each run. */
public final class JobTemplate {

    private JobTemplate() {
    }

    /** The stored body as a request: no {@code runAt}, no {@code parentId} (a schedule's job has neither). */
    public static JobRequest read(ObjectMapper mapper, String json) {
        try {
            JsonNode job = mapper.readTree(json);
            List<String> tags = null;
            if (job.hasNonNull("tags")) {
                tags = new ArrayList<>();
                for (JsonNode tag : job.get("tags")) {
                    tags.add(tag.asText());
                }
            }
            return new JobRequest(text(job, "kind"), text(job, "queue"), job.get("args"), integer(job, "priority"), null,
                    integer(job, "maxAttempts"), integer(job, "timeoutSeconds"), text(job, "uniqueKey"), tags, null,
                    text(job, "childFailure"), job.get("then"), job.get("callback"), job.get("backoff"));
        } catch (IOException e) {
            throw new UncheckedIOException("the stored job of a schedule is not an enqueue body", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }
}
