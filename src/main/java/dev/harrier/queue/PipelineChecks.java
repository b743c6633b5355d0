package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.handler.FieldProblem;
import dev.harrier.time.RetryBackoff;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pipeline fields of an enqueue ({@code childFailure}, {@code then}, {@code callback}), checked
 * as far as they can be before the job ends: a {@code then} is an object with a {@code kind} and no
 * {@code parentId}, at most {@link #MAX_CHAIN} links deep; the rest of it (its kind's arguments
 * once its placeholders are filled) is checked when it is enqueued.
 */
final class PipelineChecks {

    /** A {@code then} chain: at most this many links under one job. */
    static final int MAX_CHAIN = 10;
    static final Set<String> CALLBACK_ON = Set.of("completed", "failed", "cancelled");
    private static final Set<String> CALLBACK_FIELDS = Set.of("url", "headers", "on");
    private static final int MAX_URL = 2048;

    private PipelineChecks() {
    }

    static NewJob.Links check(JobRequest request, List<FieldProblem> found) {
        String policy = request.childFailure();
        if (policy != null && !policy.equals("ignore") && !policy.equals("fail")) {
            found.add(new FieldProblem("childFailure", "must be ignore or fail"));
        }
        JsonNode then = request.then() == null || request.then().isNull() ? null : request.then();
        if (then != null) {
            then(then, "then", 1, found);
        }
        JsonNode callback = request.callback() == null || request.callback().isNull() ? null : request.callback();
        if (callback != null) {
            callback(callback, "callback", found);
        }
        RetryBackoff backoff = RetryBackoffs.read(request.backoff(), "backoff", found);
        RetryBackoffs.check(found, "backoff", backoff);
        return new NewJob.Links(policy, then == null ? null : then.toString(), callback == null ? null : callback.toString(),
                false, null, null, RetryBackoffs.toJson(backoff));
    }

    private static void then(JsonNode then, String field, int depth, List<FieldProblem> found) {
        if (depth > MAX_CHAIN) {
            found.add(new FieldProblem(field, "a then chain is at most " + MAX_CHAIN + " links deep"));
            return;
        }
        if (!then.isObject()) {
            found.add(new FieldProblem(field, "must be an enqueue body (a JSON object)"));
            return;
        }
        JsonNode kind = then.get("kind");
        if (kind == null || !kind.isTextual() || kind.textValue().isBlank()) {
            found.add(new FieldProblem(field + ".kind", "is required"));
        }
        if (then.has("parentId")) {
            found.add(new FieldProblem(field + ".parentId", "must not be set: a then job has no parent"));
        }
        if (then.hasNonNull("callback")) {
            callback(then.get("callback"), field + ".callback", found);
        }
        if (then.hasNonNull("then")) {
            then(then.get("then"), field + ".then", depth + 1, found);
        }
    }

    private static void callback(JsonNode callback, String field, List<FieldProblem> found) {
        if (!callback.isObject()) {
            found.add(new FieldProblem(field, "must be {\"url\", \"headers\", \"on\"}"));
            return;
        }
        for (Iterator<String> names = callback.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!CALLBACK_FIELDS.contains(name)) {
                found.add(new FieldProblem(field + "." + name, "is not a callback field (url, headers, on)"));
            }
        }
        String urlProblem = urlProblem(callback.get("url"));
        if (urlProblem != null) {
            found.add(new FieldProblem(field + ".url", urlProblem));
        }
        JsonNode headers = callback.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                found.add(new FieldProblem(field + ".headers", "must be an object of header names to texts"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> header = it.next();
                    if (!header.getValue().isTextual() || header.getKey().isBlank()) {
                        found.add(new FieldProblem(field + ".headers." + header.getKey(), "must be a text"));
                    }
                }
            }
        }
        JsonNode on = callback.get("on");
        if (on != null && !on.isNull()) {
            if (!on.isArray() || on.isEmpty()) {
                found.add(new FieldProblem(field + ".on", "must be a list of completed, failed, cancelled"));
            } else {
                for (int i = 0; i < on.size(); i++) {
                    if (!on.get(i).isTextual() || !CALLBACK_ON.contains(on.get(i).textValue())) {
                        found.add(new FieldProblem(field + ".on[" + i + "]", "must be completed, failed or cancelled"));
                    }
                }
            }
        }
    }

    private static String urlProblem(JsonNode url) {
        if (url == null || !url.isTextual() || url.textValue().isBlank()) {
            return "is required";
        }
        if (url.textValue().length() > MAX_URL) {
            return "must be at most " + MAX_URL + " characters";
        }
        try {
            URI uri = new URI(url.textValue());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return "must be an absolute http or https URL";
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a URL: " + e.getReason();
        }
    }
}
