package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.InputChecks;
import dev.harrier.queue.JobIds;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Small helpers the resources share: the caller, ids, limits and cursors, all refused as problems. */
final class Requests {

    private Requests() {
    }

    static Caller caller(ContainerRequestContext request) {
        Caller caller = (Caller) request.getProperty(Caller.PROPERTY);
        if (caller == null) {
            throw new ApiProblem(Problem.unauthorized("Not authenticated"));
        }
        return caller;
    }

    /** A job id of the path; anything that is not one of ours is simply not found. */
    static UUID jobId(String text) {
        return JobIds.parse(text).orElseThrow(() -> new ApiProblem(Problem.notFound("No job " + text)));
    }

    /** A caller with an API key, not a read token. */
    static Caller withKey(ContainerRequestContext request) {
        Caller caller = caller(request);
        if (caller.readOnly()) {
            throw new ApiProblem(Problem.of(403, "forbidden", "Forbidden", "A read token only reads; send an API key"));
        }
        return caller;
    }

    /** A caller that reads the whole workspace: an API key, or a workspace token without tags. */
    static Caller workspaceReader(ContainerRequestContext request) {
        Caller caller = caller(request);
        if (caller.readOnlyJob() != null || caller.taggedOnly()) {
            throw new ApiProblem(Problem.of(403, "forbidden", "Forbidden", "This token does not read the whole workspace"));
        }
        return caller;
    }

    /** A caller that reads jobs of the workspace: an API key or a workspace token, not a job's token. */
    static Caller jobReader(ContainerRequestContext request) {
        Caller caller = caller(request);
        if (caller.readOnlyJob() != null) {
            throw new ApiProblem(Problem.of(403, "forbidden", "Forbidden", "A job's read token only reads its own job"));
        }
        return caller;
    }

    /** A token's life: {@code ttlSeconds} as asked (an hour by default), at most {@code max}. */
    static long tokenTtl(Integer asked, Duration max) {
        long most = max.toSeconds();
        long ttl = asked == null ? Math.min(3600, most) : asked;
        if (ttl < 1 || ttl > most) {
            throw invalid("ttlSeconds", "must be between 1 and " + most);
        }
        return ttl;
    }

    /**
     * A {@code limit} query parameter, taken as text: declared as a number, one that is not
     * would be a 404 (what JAX-RS answers for a parameter it cannot convert), not a 400.
     */
    static int limit(String value, int fallback, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        int limit;
        try {
            limit = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw invalid("limit", "must be a whole number between 1 and " + max);
        }
        if (limit < 1 || limit > max) {
            throw invalid("limit", "must be between 1 and " + max);
        }
        return limit;
    }

    /** A query parameter that PostgreSQL could not compare (a NUL character, half a surrogate pair). */
    static void text(String field, String value) {
        String problem = InputChecks.textProblem(value);
        if (problem != null) {
            throw invalid(field, problem);
        }
    }

    /** A 400 naming the field ("" for the body as a whole), its detail a sentence a person can act on. */
    static ApiProblem invalid(String field, String message) {
        String detail = field.isEmpty() ? "The body " + message : field + " " + message;
        return new ApiProblem(Problem.invalid(detail, List.of(new FieldProblem(field, message))));
    }

    static String encodeCursor(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The plain text of a cursor made by {@link #encodeCursor}; a problem for anything else. */
    static String decodeCursor(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor", "is not a cursor this API returned");
        }
    }
}
