package dev.harrier.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.handler.FieldProblem;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body an {@code http} job sends: JSON by default; a string as it is when the job's
 * {@code Content-Type} is not JSON (a plain-text or XML webhook); or a form
 * ({@code application/x-www-form-urlencoded}) from {@code form}, whose values are strings, numbers,
 * booleans or arrays of them (an array repeats its key).
 *
 * @param bytes what goes on the wire, or null for no body
 * @param contentType the Content-Type to send when the job sets none, or null
 */
record RequestBody(byte[] bytes, String contentType) {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";

    static RequestBody of(JsonNode body, JsonNode form, Map<String, String> headers) {
        if (form != null && !form.isNull()) {
            return new RequestBody(formEncoded(form).getBytes(StandardCharsets.UTF_8), FORM);
        }
        if (body == null || body.isNull()) {
            return new RequestBody(null, null);
        }
        String declared = contentType(headers);
        if (body.isTextual() && declared != null && !isJson(declared)) {
            return new RequestBody(body.textValue().getBytes(StandardCharsets.UTF_8), null);
        }
        return new RequestBody(body.toString().getBytes(StandardCharsets.UTF_8), JSON);
    }

    /** The checks of {@code body}, {@code form} and the Content-Type they go with. */
    static void check(List<FieldProblem> problems, JsonNode body, JsonNode form, Map<String, String> headers, String method) {
        boolean hasForm = form != null && !form.isNull();
        if (!hasForm) {
            return;
        }
        if (body != null && !body.isNull()) {
            problems.add(new FieldProblem("form", "give either body or form, not both"));
        }
        if (!form.isObject()) {
            problems.add(new FieldProblem("form", "must be an object of field names and values"));
            return;
        }
        form.fields().forEachRemaining(field -> {
            JsonNode value = field.getValue();
            boolean ok = value.isValueNode() && !value.isNull();
            if (value.isArray()) {
                ok = !value.isEmpty();
                for (JsonNode element : value) {
                    ok &= element.isValueNode() && !element.isNull();
                }
            }
            if (!ok) {
                problems.add(new FieldProblem("form." + field.getKey(), "must be a string, number or boolean, or a non-empty array of them"));
            }
        });
        String declared = contentType(headers);
        if (declared != null && (!declared.toLowerCase(Locale.ROOT).startsWith(FORM)
                || (declared.toLowerCase(Locale.ROOT).contains("charset") && !declared.toLowerCase(Locale.ROOT).contains("utf-8")))) {
            problems.add(new FieldProblem("headers.Content-Type", "a form is sent as " + FORM + " in UTF-8, not " + declared));
        }
        if (method != null && (method.equalsIgnoreCase("GET") || method.equalsIgnoreCase("HEAD"))) {
            problems.add(new FieldProblem("form", "a " + method.toUpperCase(Locale.ROOT) + " request carries no form: use POST, PUT or PATCH"));
        }
    }

    private static String formEncoded(JsonNode form) {
        StringBuilder out = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> fields = form.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Iterable<JsonNode> values = field.getValue().isArray() ? field.getValue() : List.of(field.getValue());
            for (JsonNode value : values) {
                if (!out.isEmpty()) {
                    out.append('&');
                }
                out.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(text(value), StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    /** A value as a form writes it: numbers in plain notation (1E-8 would be read as text by most servers). */
    private static String text(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value.isNumber()) {
            return value.decimalValue().toPlainString();
        }
        return value.asText();
    }

    static String contentType(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("Content-Type")) {
                return header.getValue();
            }
        }
        return null;
    }

    private static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.contains("/json") || type.contains("+json");
    }
}
