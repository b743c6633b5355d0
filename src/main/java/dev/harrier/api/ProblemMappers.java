package dev.harrier.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.InvalidJobException;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure of an API request into a problem document with the right status. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem e) {
        return respond(e.problem());
    }

    @ServerExceptionMapper
    public Response invalidJob(InvalidJobException e) {
        return respond(Problem.invalid("The job is invalid: " + e.getMessage(), e.problems()));
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonGenerationException) {
            return unexpected(new IllegalStateException(e));
        }
        return respond(JsonProblems.of(e));
    }

    // Quarkus maps these Jackson failures itself; these mappers make them problem documents too.
    @ServerExceptionMapper
    public Response mismatchedInput(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return respond(JsonProblems.of(e));
    }

    @ServerExceptionMapper
    public Response unparsable(com.fasterxml.jackson.core.JsonParseException e) {
        return respond(JsonProblems.of(e));
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e) {
        return respond(JsonProblems.of(e));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return respond(JsonProblems.of(json));
        }
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406, 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
        return respond(Problem.of(status, slug, Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response database(PgException e) {
        if ("23505".equals(e.getSqlState())) {
            return respond(Problem.conflict("A live job already holds this unique key"));
        }
        LOG.errorf("database error: %s", e.getMessage());
        return respond(Problem.of(503, "unavailable", "Service unavailable", "The database could not complete the request"));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error in an API request", e);
        return respond(Problem.of(500, "internal", "Internal error", "The request failed on the server"));
    }

    /** Problems for bodies that are not JSON, or JSON of the wrong shape. */
    static final class JsonProblems {

        private JsonProblems() {
        }

        static Problem of(JsonProcessingException e) {
            if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (JsonMappingException.Reference ref : mapping.getPath()) {
                    if (ref.getFieldName() != null) {
                        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
                    } else if (ref.getIndex() >= 0) {
                        path.append('[').append(ref.getIndex()).append(']');
                    }
                }
                String message = e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException
                        ? "is not a known field" : "has the wrong type";
                return Problem.invalid("The body does not have the expected shape",
                        List.of(new FieldProblem(path.toString(), message)));
            }
            return Problem.invalid("The body is not valid JSON: " + e.getOriginalMessage(), List.of());
        }
    }
}
