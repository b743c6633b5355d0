package dev.harrier.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.harrier.handler.FieldProblem;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), the body of every error the
 * API answers. {@code errors} names each field that failed validation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldProblem> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String BASE = "https://harrier.dev/problems/";

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(BASE + slug, title, status, detail, null);
    }

    public static Problem invalid(String detail, List<FieldProblem> errors) {
        return new Problem(BASE + "invalid-request", "Invalid request", 400, detail, errors);
    }

    public static Problem notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    public static Problem conflict(String detail) {
        return of(409, "conflict", "Not allowed in the current status", detail);
    }

    public static Problem unauthorized(String detail) {
        return of(401, "unauthorized", "Unauthorized", detail);
    }

    public static Problem tooLarge(String detail) {
        return of(413, "too-large", "Request body too large", detail);
    }

    /** The response that carries this problem, with its status and media type. */
    public Response response() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
