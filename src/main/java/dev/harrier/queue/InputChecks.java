package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.handler.FieldProblem;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What every text and JSON value of a job must be before it is stored, because PostgreSQL or a
 * later reader would otherwise change or refuse it: no NUL character (PostgreSQL refuses it, and
 * the refusal used to fail a whole batch with a 503, inviting retries of a request that can never
 * succeed), no unpaired UTF-16 surrogate (it would be stored as {@code ?}), JSON nested at most
 * {@link #MAX_DEPTH} levels (deeper documents cannot be written back by the API), and numbers of
 * at most {@link #MAX_NUMBER_DIGITS} digits written out (what a JSON reader accepts). Each problem
 * names its field, as {@code args.pages[3].title}.
 */
public final class InputChecks {

    public static final int MAX_DEPTH = 500;
    public static final int MAX_NUMBER_DIGITS = 1000;

    private InputChecks() {
    }

    /** The problem with a text, or null when it can be stored as it is. */
    public static String textProblem(String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "must not contain the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return unpaired(c);
            }
            if (Character.isLowSurrogate(c)) {
                return unpaired(c);
            }
        }
        return null;
    }

    /** Adds a problem for a text field that cannot be stored as it is. */
    public static void text(List<FieldProblem> problems, String field, String text) {
        String problem = textProblem(text);
        if (problem != null) {
            problems.add(new FieldProblem(field, problem));
        }
    }

    /** Adds the problems of a JSON value (its texts, keys, numbers and depth); at most one per field. */
    public static void json(List<FieldProblem> problems, String field, JsonNode value) {
        if (value == null) {
            return;
        }
        record At(JsonNode node, String path, int depth) {
        }
        Deque<At> todo = new ArrayDeque<>();
        todo.push(new At(value, field, 1));
        int found = 0;
        while (!todo.isEmpty() && found < 20) {
            At at = todo.pop();
            JsonNode node = at.node();
            if (at.depth() > MAX_DEPTH && node.isContainerNode()) {
                problems.add(new FieldProblem(at.path(), "is nested more than " + MAX_DEPTH + " levels deep"));
                found++;
            } else if (node.isTextual()) {
                found += add(problems, at.path(), textProblem(node.textValue()));
            } else if (node.isNumber()) {
                found += add(problems, at.path(), numberProblem(node));
            } else if (node.isArray()) {
                for (int i = node.size() - 1; i >= 0; i--) {
                    todo.push(new At(node.get(i), at.path() + "[" + i + "]", at.depth() + 1));
                }
            } else if (node.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> entry = fields.next();
                    String path = at.path() + "." + entry.getKey();
                    String keyProblem = textProblem(entry.getKey());
                    if (keyProblem != null) {
                        found += add(problems, at.path(), "has a key that " + keyProblem);
                    } else {
                        todo.push(new At(entry.getValue(), path, at.depth() + 1));
                    }
                }
            }
        }
    }

    private static String numberProblem(JsonNode node) {
        if (!node.isBigDecimal() && !node.isBigInteger()) {
            return node.isDouble() && !Double.isFinite(node.doubleValue()) ? "must be a finite number" : null;
        }
        BigDecimal value = node.decimalValue();
        int scale = value.scale();
        int precision = value.precision();
        long digits = scale <= 0 ? (long) precision - scale : Math.max(precision, scale + 1L);
        return digits > MAX_NUMBER_DIGITS ? "is a number of more than " + MAX_NUMBER_DIGITS + " digits" : null;
    }

    private static int add(List<FieldProblem> problems, String field, String problem) {
        if (problem == null) {
            return 0;
        }
        problems.add(new FieldProblem(field, problem));
        return 1;
    }

    private static String unpaired(char c) {
        return "holds an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c) + "), which is not text";
    }
}
