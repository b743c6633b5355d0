package dev.harrier.api;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.StrictJson;
import dev.harrier.queue.InvalidJobException;
import dev.harrier.queue.UniqueKeyContention;
import dev.harrier.remote.LeaseLost;
import dev.harrier.sql.TransientFailures;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure of an API request into a problem document with the right status. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final int RETRY_AFTER_SECONDS = 2;

    static Response respond(Problem problem) {
        return problem.response();
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
    public Response leaseLost(LeaseLost e) {
        return respond(Problem.of(409, "lease-lost", "Lease lost", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response uniqueKeyContention(UniqueKeyContention e) {
        return respond(Problem.of(409, "unique-key-contention", "Unique key changing hands", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        if (e instanceof JsonGenerationException) {
            return unexpected(new IllegalStateException(e));
        }
        return respond(JsonProblems.of(e));
    }

    // Quarkus maps these Jackson failures itself; these mappers make them problem documents too.
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return respond(JsonProblems.of(e));
    }

    @ServerExceptionMapper
    public Response unparsable(JsonParseException e) {
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
        String detail = switch (status) {
            case 415 -> "Send the body as JSON, with the header Content-Type: application/json";
            case 406 -> "This endpoint answers application/json (or text/event-stream for streams); accept one of them";
            default -> e.getMessage();
        };
        return respond(Problem.of(status, slug, Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase(), detail));
    }

    @ServerExceptionMapper
    public Response database(PgException e) {
        if ("23505".equals(e.getSqlState())) {
            return respond(Problem.conflict("A live job already holds this unique key"));
        }
        if (TransientFailures.isTransient(e)) {
            return unavailable(e);
        }
        LOG.errorf("database error %s: %s", e.getSqlState(), e.getMessage());
        return respond(Problem.of(500, "internal", "Internal error", "The request failed on the server"));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (TransientFailures.isTransient(e)) {
            return unavailable(e);
        }
        LOG.error("unexpected error in an API request", e);
        return respond(Problem.of(500, "internal", "Internal error", "The request failed on the server"));
    }

    /**
     * The database is stalled, restarting or out of connections: 503 with {@code Retry-After}, as
     * the contract says for "not ready", so that clients and load balancers retry, after a
     * bounded wait ({@code harrier.db.pool-wait}) rather than the pool's 30 s.
     */
    private static Response unavailable(Throwable e) {
        LOG.warnf("the database could not serve an API request: %s", e.getMessage());
        Problem problem = Problem.of(503, "unavailable", "Service unavailable",
                TransientFailures.isPoolWait(e) ? "No database connection became free in time; try again shortly"
                        : "The database is not answering; try again shortly");
        return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", RETRY_AFTER_SECONDS).entity(problem).build();
    }

    /** Problems for bodies that are not JSON, or JSON of the wrong shape. */
    static final class JsonProblems {

        private JsonProblems() {
        }

        static Problem of(JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                return Problem.invalid("The body holds more than one JSON value; send exactly one", List.of());
            }
            if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                String field = path(mapping);
                return Problem.invalid("The body does not have the expected shape",
                        List.of(new FieldProblem(field, message(mapping))));
            }
            if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return Problem.invalid("The body must be " + StrictJson.describe(mismatch.getTargetType()), List.of(new FieldProblem("",
                        "must be " + StrictJson.describe(mismatch.getTargetType()))));
            }
            return Problem.invalid("The body is not valid JSON: " + e.getOriginalMessage(), List.of());
        }

        private static String path(JsonMappingException mapping) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path.toString();
        }

        private static String message(JsonMappingException e) {
            if (e instanceof InstantField.FieldRefused) {
                return e.getOriginalMessage();
            }
            if (e instanceof UnrecognizedPropertyException) {
                return "is not a known field";
            }
            if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return "must be " + StrictJson.describe(mismatch.getTargetType());
            }
            return "has the wrong type";
        }
    }
}
