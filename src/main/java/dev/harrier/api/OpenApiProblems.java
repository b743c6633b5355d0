package dev.harrier.api;

import dev.harrier.document.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Completes the generated OpenAPI document with what annotations cannot say once for all: the
 * problem document every error answers with, the error statuses of each operation, and the bearer
 * authentication of {@code /api/v1}.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class OpenApiProblems implements OASFilter {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    /** Types of the server's own plumbing that the scanner finds in method signatures: no client needs them. */
    private static final List<String> INTERNAL_SCHEMAS = List.of("OutboundSseEvent", "MediaType", "JsonNode", "JsonNodeType");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents() : openAPI.getComponents();
        components.addSchema("Problem", problemSchema());
        StreamEventSchemas.addTo(components);
        if (components.getSchemas() != null) {
            INTERNAL_SCHEMAS.forEach(components::removeSchema);
            SchemaNames.rename(openAPI, Map.of(
                    "com.fasterxml.jackson.databind.JsonNode", "AnyJson",
                    "java.time.Instant", "Instant"));
        }
        components.addSecurityScheme("apiKey", OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key (Authorization: Bearer <key>), or a read token for one job's read endpoints, also as ?access_token="));
        openAPI.setComponents(components);
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/api/v1")) {
                item.getOperations().forEach((method, operation) -> describeErrors(path, method, operation));
            }
        });
    }

    private static final Pattern LEASED = Pattern.compile("/api/v1/jobs/\\{id}/(heartbeat|progress|logs|items|children|complete|fail)");

    private static void describeErrors(String path, PathItem.HttpMethod method, Operation operation) {
        StreamEventSchemas.describe(path, operation);
        operation.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme("apiKey", List.of()));
        add(operation, "401", "No valid API key or read token");
        add(operation, "503", "Not ready: the database does not answer");
        boolean hasId = path.contains("{id}") || path.contains("{name}") || path.contains("{kind}");
        if (hasId) {
            add(operation, "404", path.contains("{kind}") ? "No such kind in this workspace"
                    : path.contains("{name}") ? "No such queue in this workspace" : "No such job in this workspace");
        }
        if (method != PathItem.HttpMethod.GET || path.equals("/api/v1/jobs") || hasId) {
            add(operation, "400", "Invalid input: errors names each field");
        }
        if (path.endsWith("/cancel") || path.endsWith("/retry")) {
            add(operation, "409", "Not allowed in the job's current status");
        }
        if (LEASED.matcher(path).matches()) {
            add(operation, "409", "The Harrier-Lease token no longer holds the job's attempt: stop working on it");
            add(operation, "413", "Body over HARRIER_LIMITS_REPORT_BYTES (1 MiB)");
        }
        if (path.startsWith("/api/v1/kinds/") && method == PathItem.HttpMethod.PUT) {
            add(operation, "409", "The name of a kind Harrier runs itself");
        }
        if (method == PathItem.HttpMethod.POST && (path.equals("/api/v1/jobs") || path.equals("/api/v1/jobs/batch"))) {
            add(operation, "413", "Body over the limit (1 MiB for a job, 32 MiB for a batch)");
        }
        if (path.contains("{id}") && method == PathItem.HttpMethod.GET) {
            add(operation, "403", "A read token used for another job");
        }
    }

    private static void add(Operation operation, String status, String description) {
        if (operation.getResponses() == null) {
            return;
        }
        // One the scanner added by itself ("Bad Request", no content) gets the problem document.
        if (operation.getResponses().hasAPIResponse(status) && operation.getResponses().getAPIResponse(status).getContent() != null) {
            return;
        }
        Content content = OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM_REF)));
        operation.getResponses().addAPIResponse(status,
                OASFactory.createAPIResponse().description(description).content(content));
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Map<String, Schema> field = new LinkedHashMap<>();
        field.put("field", string);
        field.put("message", string);
        Schema fieldProblem = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).properties(field);
        Map<String, Schema> problem = new LinkedHashMap<>();
        problem.put("type", string);
        problem.put("title", string);
        problem.put("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
        problem.put("detail", string);
        problem.put("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldProblem));
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem document, application/problem+json")
                .properties(problem)
                .example(Map.of("type", "https://harrier.dev/problems/invalid-request", "title", "Invalid request",
                        "status", 400, "detail", "The job is invalid: priority: must be between 0 and 9",
                        "errors", List.of(Map.of("field", "priority", "message", "must be between 0 and 9"))));
    }

}
