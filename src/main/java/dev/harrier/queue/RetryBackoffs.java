package dev.harrier.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.handler.FieldProblem;
import dev.harrier.time.RetryBackoff;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Retry schedules as jobs and kinds give them ({@code "backoff": {"baseSeconds", "factor",
 * "maxSeconds", "jitter"}}): checked, and read from and written to their stored JSON without
 * reflection (a tree, so that the native image needs no registration).
 */
public final class RetryBackoffs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("baseSeconds", "factor", "maxSeconds", "jitter");

    private RetryBackoffs() {
    }

    /** The problems of a schedule, each naming its field under {@code prefix} ({@code backoff}). */
    public static void check(List<FieldProblem> problems, String prefix, RetryBackoff backoff) {
        if (backoff == null) {
            return;
        }
        if (backoff.baseSeconds() != null && (backoff.baseSeconds() < 0 || backoff.baseSeconds() > JobSubmitter.MAX_TIMEOUT_SECONDS)) {
            problems.add(new FieldProblem(prefix + ".baseSeconds", "must be between 0 and " + JobSubmitter.MAX_TIMEOUT_SECONDS));
        }
        if (backoff.maxSeconds() != null && (backoff.maxSeconds() < 0 || backoff.maxSeconds() > JobSubmitter.MAX_TIMEOUT_SECONDS
                || backoff.baseSeconds() != null && backoff.maxSeconds() < backoff.baseSeconds())) {
            problems.add(new FieldProblem(prefix + ".maxSeconds", "must be between baseSeconds and " + JobSubmitter.MAX_TIMEOUT_SECONDS));
        }
        if (backoff.factor() != null && (backoff.factor() < 1 || backoff.factor() > 10)) {
            problems.add(new FieldProblem(prefix + ".factor", "must be between 1 and 10"));
        }
        if (backoff.jitter() != null && (backoff.jitter() < 0 || backoff.jitter() > 1)) {
            problems.add(new FieldProblem(prefix + ".jitter", "must be between 0 and 1"));
        }
    }

    /**
     * A schedule from an enqueue body's {@code backoff}; null when absent. Fields of the wrong type or
     * unknown fields are problems, added under {@code prefix}.
     */
    public static RetryBackoff read(JsonNode node, String prefix, List<FieldProblem> problems) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new FieldProblem(prefix, "must be an object: {\"baseSeconds\", \"factor\", \"maxSeconds\", \"jitter\"}"));
            return null;
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                problems.add(new FieldProblem(prefix + "." + name, "is not a field of backoff (baseSeconds, factor, maxSeconds, jitter)"));
            }
        });
        Integer base = integer(node, "baseSeconds", prefix, problems);
        Double factor = number(node, "factor", prefix, problems);
        Integer max = integer(node, "maxSeconds", prefix, problems);
        Double jitter = number(node, "jitter", prefix, problems);
        return new RetryBackoff(base, factor, max, jitter);
    }

    private static Integer integer(JsonNode node, String field, String prefix, List<FieldProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            problems.add(new FieldProblem(prefix + "." + field, "must be a whole number of seconds"));
            return null;
        }
        return value.intValue();
    }

    private static Double number(JsonNode node, String field, String prefix, List<FieldProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            problems.add(new FieldProblem(prefix + "." + field, "must be a number"));
            return null;
        }
        return value.doubleValue();
    }

    /** The stored form; null for none. */
    public static String toJson(RetryBackoff backoff) {
        if (backoff == null) {
            return null;
        }
        ObjectNode node = JSON.createObjectNode();
        if (backoff.baseSeconds() != null) {
            node.put("baseSeconds", backoff.baseSeconds());
        }
        if (backoff.factor() != null) {
            node.put("factor", backoff.factor());
        }
        if (backoff.maxSeconds() != null) {
            node.put("maxSeconds", backoff.maxSeconds());
        }
        if (backoff.jitter() != null) {
            node.put("jitter", backoff.jitter());
        }
        return node.toString();
    }

    /** From the stored form; null for none or unreadable. */
    public static RetryBackoff fromJson(String json) {
        if (json == null) {
            return null;
        }
        try {
            return read(JSON.readTree(json), "backoff", new ArrayList<>());
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
