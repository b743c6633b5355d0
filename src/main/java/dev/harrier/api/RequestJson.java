package dev.harrier.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.handler.StrictJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * Reads request bodies exactly as sent ({@link StrictJson}: no scalar converted to another type,
 * exact numbers, one JSON value and nothing after it). Each refusal is a 400 naming the field
 * (see {@link ProblemMappers}).
 */
@ApplicationScoped
public class RequestJson {

    private final ObjectMapper strict;

    public RequestJson(ObjectMapper mapper) {
        this.strict = StrictJson.copyOf(mapper);
    }

    /** The body as {@code type}; a body that is not exactly one JSON value of that shape fails with Jackson's exception. */
    public <T> T read(byte[] body, Class<T> type) throws IOException {
        return strict.readerFor(type).readValue(body);
    }
}
