package dev.harrier.document;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.harrier.queue.InputChecks;
import java.io.IOException;

/**
 * JSON stored with a job (args, result, an item's data), read for a reply or an event. Numbers keep
 * their exact value. A value the API could not write back inside a document (nested deeper than
 * {@link #MAX_DEPTH}, written by SQL or by another version: enqueue refuses deeper than
 * {@link InputChecks#MAX_DEPTH}) is not shown, with the reason, instead of failing every list page
 * that holds its job.
 *
 * @param value the tree, or null when absent or unreadable
 * @param problem why it cannot be shown, or null
 */
public record StoredJson(JsonNode value, String problem) {

    public static final int MAX_DEPTH = 900;
    private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    private static final StoredJson ABSENT = new StoredJson(null, null);

    public static StoredJson read(String json) {
        if (json == null) {
            return ABSENT;
        }
        try {
            return new StoredJson(READER.readTree(json), null);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            return new StoredJson(null, "the stored JSON cannot be shown: " + reason);
        }
    }
}
