package dev.harrier.kinds;

import dev.harrier.dataset.DatasetNames;
import dev.harrier.handler.FieldProblem;
import dev.harrier.http.HeaderChecks;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** The argument checks the HTTP kinds share; each adds a field-level problem to the list. */
final class ArgChecks {

    private ArgChecks() {
    }

    /** The text must be an absolute http or https URL with a host. */
    static void httpUrl(List<FieldProblem> problems, String field, String text) {
        if (text == null || text.isBlank()) {
            problems.add(new FieldProblem(field, "is required"));
            return;
        }
        try {
            URI url = URI.create(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            if (url.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
                problems.add(new FieldProblem(field, "must be an absolute http or https URL"));
            }
        } catch (IllegalArgumentException e) {
            problems.add(new FieldProblem(field, "is not a URL"));
        }
    }

    /**
     * Request headers: names must be HTTP tokens, values free of control characters (a CR or LF
     * would end the header early and let the rest be read as headers of its own). Refused at
     * enqueue: such a request could never be sent, and every attempt would fail as if it might.
     */
    static void headers(List<FieldProblem> problems, String field, Map<String, String> headers) {
        if (headers == null) {
            return;
        }
        headers.forEach((name, value) -> {
            if (!HeaderChecks.isToken(name)) {
                problems.add(new FieldProblem(field, "header name '" + printable(name)
                        + "' must be letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only"));
            } else if (value == null) {
                problems.add(new FieldProblem(field + "." + name, "must be a string"));
            } else if (!HeaderChecks.isFieldValue(value)) {
                problems.add(new FieldProblem(field + "." + name, "must not contain line breaks or other control characters"));
            }
        });
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : (text == null ? "" : text).toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : c);
        }
        return out.toString();
    }

    /** A number that may be absent, and must lie within [min, max] when present. */
    /** The name of a shared limit ({@code PUT /api/v1/limits/{name}}), when given; its existence is checked when the job runs. */
    static void limitName(List<FieldProblem> problems, String field, String name) {
        if (name != null && !DatasetNames.valid(name)) {
            problems.add(new FieldProblem(field, "must name a limit: 1 to 100 of A-Z a-z 0-9 . _ -"));
        }
    }

    static void range(List<FieldProblem> problems, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            problems.add(new FieldProblem(field, "must be between " + min + " and " + max));
        }
    }
}
