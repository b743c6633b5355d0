package dev.harrier.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Fills the placeholders of a pipeline template ({@code each.job}, {@code then}) in one pass, with a
 * literal scanner: no template engine, no expression language. In the strings of a JSON value,
 * {@code {{ROOT}}} and {@code {{ROOT.PATH}}} are replaced when ROOT is one of the given roots
 * ({@code item}, {@code index}, {@code result}, {@code job}); PATH is names of {@code A-Z a-z 0-9 _ -}
 * and array indices joined by dots. A string that is exactly one placeholder takes the value's JSON
 * type; inside a longer string a value is its text (strings as they are, the rest as JSON). What
 * replaces a placeholder is data, never scanned again: an item whose value is {@code {{secret:X}}}
 * or {@code {{item.y}}} stays that text. Anything between braces that is not a placeholder of a
 * given root (another root, {@code {{secret:NAME}}}, a stray brace) is left as it is. Object keys are
 * never filled.
 */
public final class Templates {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A placeholder whose value is missing: the child or link cannot be made. */
    public static final class Unfillable extends Exception {
        public Unfillable(String message) {
            super(message, null, false, false);
        }
    }

    private Templates() {
    }

    /** A copy of {@code template} with its placeholders filled from {@code roots}. */
    public static JsonNode fill(JsonNode template, Map<String, JsonNode> roots) throws Unfillable {
        if (template == null) {
            return null;
        }
        if (template.isTextual()) {
            return fillText(template.textValue(), roots);
        }
        if (template.isObject()) {
            ObjectNode filled = NODES.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                filled.set(field.getKey(), fill(field.getValue(), roots));
            }
            return filled;
        }
        if (template.isArray()) {
            ArrayNode filled = NODES.arrayNode(template.size());
            for (JsonNode element : template) {
                filled.add(fill(element, roots));
            }
            return filled;
        }
        return template.deepCopy();
    }

    private static JsonNode fillText(String text, Map<String, JsonNode> roots) throws Unfillable {
        int open = text.indexOf("{{");
        if (open < 0) {
            return NODES.textNode(text);
        }
        // Exactly one placeholder: the value itself, with its JSON type.
        if (open == 0 && text.endsWith("}}") && text.indexOf("}}") == text.length() - 2) {
            JsonNode value = resolve(text.substring(2, text.length() - 2), roots);
            if (value != null) {
                return value.deepCopy();
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        while (open >= 0) {
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                break;
            }
            JsonNode value = resolve(text.substring(open + 2, close), roots);
            if (value == null) {
                // Not a placeholder: the braces stay, and scanning goes on after them.
                out.append(text, from, open + 2);
                from = open + 2;
            } else {
                out.append(text, from, open).append(value.isTextual() ? value.textValue() : value.toString());
                from = close + 2;
            }
            open = text.indexOf("{{", from);
        }
        out.append(text, from, text.length());
        return NODES.textNode(out.toString());
    }

    /** The value of a placeholder; null when the text between the braces is not one of the given roots'. */
    private static JsonNode resolve(String inner, Map<String, JsonNode> roots) throws Unfillable {
        String[] parts = inner.split("\\.", -1);
        JsonNode value = roots.get(parts[0]);
        if (value == null) {
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            if (!isName(parts[i])) {
                return null;
            }
        }
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            JsonNode next = null;
            if (value.isObject()) {
                next = value.get(part);
            } else if (value.isArray() && isIndex(part)) {
                next = value.get(Integer.parseInt(part));
            }
            if (next == null) {
                throw new Unfillable("{{" + inner + "}}: " + String.join(".", Arrays.copyOfRange(parts, 0, i))
                        + " has no " + (value.isArray() ? "element " : "field ") + part);
            }
            value = next;
        }
        return value;
    }

    private static boolean isName(String part) {
        if (part.isEmpty() || part.length() > 200) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIndex(String part) {
        if (part.length() > 9) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
