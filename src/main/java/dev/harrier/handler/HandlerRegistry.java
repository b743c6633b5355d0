package dev.harrier.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.arc.ClientProxy;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job kinds this service knows, by name, and the strict reading of their arguments. A
 * singleton that holds the handler beans themselves, not their client proxies: the engine calls
 * it and them for every job, and a proxy looks its bean up on every call.
 */
@Singleton
public class HandlerRegistry {

    private final Map<String, JobHandler<?, ?>> byKind = new TreeMap<>();
    private final Map<Class<?>, ObjectReader> argsReaders = new ConcurrentHashMap<>();
    private final Map<Class<?>, ObjectReader> strictReaders = new ConcurrentHashMap<>();
    private final ObjectMapper mapper;
    private final ObjectMapper strict;

    public HandlerRegistry(@Any Instance<JobHandler<?, ?>> handlers, ObjectMapper mapper) {
        this.mapper = mapper;
        this.strict = StrictJson.copyOf(mapper);
        for (JobHandler<?, ?> proxy : handlers) {
            JobHandler<?, ?> handler = ClientProxy.unwrap(proxy);
            JobHandler<?, ?> previous = byKind.put(handler.kind(), handler);
            if (previous != null) {
                throw new IllegalStateException("two handlers for kind '" + handler.kind() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    public Optional<JobHandler<?, ?>> find(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public Set<String> kinds() {
        return byKind.keySet();
    }

    /** The outcome of reading a job's arguments: the typed arguments, or the problems found. */
    public record ArgsCheck(Object args, List<FieldProblem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Reads {@code args} strictly as the kind's argument type (unknown fields, wrong types and
     * missing primitives are problems) and runs the kind's own checks. Field names are relative to
     * {@code args}. An unknown kind is the caller's to report.
     */
    public ArgsCheck check(JobHandler<?, ?> handler, JsonNode args) {
        JsonNode input = args == null || args.isNull() ? mapper.createObjectNode() : args;
        if (!input.isObject()) {
            return new ArgsCheck(null, List.of(new FieldProblem("", "must be a JSON object")));
        }
        try {
            Object parsed = reader(handler).readValue(input);
            return new ArgsCheck(parsed, validate(handler, parsed));
        } catch (JsonMappingException e) {
            return new ArgsCheck(null, List.of(problemOf(e, input)));
        } catch (IOException e) {
            return new ArgsCheck(null, List.of(new FieldProblem("", "cannot be read: " + e.getMessage())));
        }
    }

    /** Reads arguments stored with a job (already checked at enqueue). */
    public <A> A read(JobHandler<A, ?> handler, String json) throws JsonProcessingException {
        // Exact numbers: a body forwarded by the http kind must carry the value the client sent.
        return argsReaders.computeIfAbsent(handler.argsType(),
                        type -> mapper.readerFor(type).with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES))
                .readValue(json == null ? "{}" : json);
    }

    @SuppressWarnings("unchecked")
    private static <A> List<FieldProblem> validate(JobHandler<A, ?> handler, Object parsed) {
        return handler.validate((A) parsed);
    }

    private ObjectReader reader(JobHandler<?, ?> handler) {
        return strictReaders.computeIfAbsent(handler.argsType(), type -> strict.readerFor(type)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT));
    }

    private static FieldProblem problemOf(JsonMappingException e, JsonNode input) {
        String path = pathOf(e.getPath());
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new FieldProblem(path, "is not a known field");
        }
        if (e instanceof InvalidFormatException format) {
            return new FieldProblem(path, "must be " + StrictJson.describe(format.getTargetType()) + ", not '" + format.getValue() + "'");
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new FieldProblem(path, "must be " + StrictJson.describe(mismatch.getTargetType()) + given(input, e.getPath()));
        }
        return new FieldProblem(path, e.getOriginalMessage());
    }

    /** The scalar that was refused, as the client sent it, found in the arguments by the failure's path. */
    private static String given(JsonNode input, List<JsonMappingException.Reference> path) {
        JsonNode node = input;
        for (JsonMappingException.Reference ref : path) {
            if (node == null) {
                return "";
            }
            node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
        }
        if (node == null || !node.isValueNode() || node.isNull()) {
            return "";
        }
        String text = node.asText();
        if (text.length() > 40) {
            text = text.substring(0, 40) + "…";
        }
        return node.isTextual() ? ", not '" + text + "'" : ", not " + text;
    }

    private static String pathOf(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
