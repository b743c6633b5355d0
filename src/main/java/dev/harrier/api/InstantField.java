package dev.harrier.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * An instant in a request body: an ISO-8601 string with a UTC offset, between
 * {@link #EARLIEST} and {@link #LATEST}. A number (epoch seconds? milliseconds?), a local time
 * without an offset, or a year PostgreSQL would turn into infinity is refused, naming the field,
 * instead of being read as something the client did not mean.
 */
public final class InstantField extends StdDeserializer<Instant> {

    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    static final String EXPECTED = "must be an ISO-8601 instant with an offset, such as 2026-11-22T08:00:00Z";

    public InstantField() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new FieldRefused(parser, EXPECTED + ", not " + describe(parser.currentToken()));
        }
        String text = parser.getText().strip();
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new FieldRefused(parser, EXPECTED + "; '" + abbreviate(text) + "' is not one");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new FieldRefused(parser, "must lie between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> "that";
        };
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    /** A value refused with a message for the client; {@link ProblemMappers} shows it under the field's name. */
    public static final class FieldRefused extends JsonMappingException {
        FieldRefused(JsonParser parser, String message) {
            super(parser, message);
        }
    }
}
