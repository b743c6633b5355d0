package dev.harrier.http;

import dev.harrier.handler.FieldProblem;
import java.net.URI;
import java.util.List;

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

    /** A number that may be absent, and must lie within [min, max] when present. */
    static void range(List<FieldProblem> problems, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            problems.add(new FieldProblem(field, "must be between " + min + " and " + max));
        }
    }
}
