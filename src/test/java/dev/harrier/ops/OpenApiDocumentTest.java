package dev.harrier.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document, read by swagger-parser as a client generator reads it: valid, and
 * every operation named and typed, so that a generated client has real request and reply types.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private OpenAPI api;

    @BeforeEach
    void read() {
        String json = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, options);
        assertThat(result.getMessages()).as("what the parser found wrong").isEmpty();
        api = result.getOpenAPI();
    }

    @Test
    void everyOperationHasAUniqueIdTypedBodiesAndASuccessReply() {
        assertThat(api.getServers()).as("servers, for a generated client's base URL").isNotEmpty();
        Set<String> ids = new HashSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String name = method + " " + path;
            assertThat(operation.getOperationId()).as(name).isNotBlank();
            assertThat(ids.add(operation.getOperationId())).as("unique: " + operation.getOperationId()).isTrue();
            if (operation.getRequestBody() != null) {
                MediaType json = operation.getRequestBody().getContent().get("application/json");
                assertThat(json).as(name + " takes JSON").isNotNull();
                assertThat(json.getSchema().get$ref()).as(name + " body is a named type, not string/binary")
                        .startsWith("#/components/schemas/");
            }
            assertThat(successes(operation)).as(name + " has a success reply").isNotEmpty();
            successes(operation).forEach((status, reply) -> {
                if (status.equals("204")) {
                    assertThat(reply.getContent()).as(name + " 204 has no content").isNull();
                    return;
                }
                assertThat(reply.getContent()).as(name + " " + status + " has content").isNotNull();
                MediaType json = reply.getContent().get("application/json");
                if (json != null) {
                    assertThat(json.getSchema().get$ref()).as(name + " " + status + " reply is a named type")
                            .startsWith("#/components/schemas/");
                }
            });
        }));
        assertThat(ids).contains("enqueueJob", "enqueueJobs", "getJob", "listJobs", "cancelJob", "retryJob", "getJobLogs",
                "getJobItems", "createJobToken", "streamJobEvents", "streamWorkspaceEvents", "listQueues", "updateQueue");
    }

    @Test
    void repliesHaveTheStatusesTheServiceAnswersWithAndNoServerInternalsLeak() {
        assertThat(api.getPaths().get("/api/v1/jobs").getPost().getResponses()).containsKeys("201", "200", "400", "401", "413");
        assertThat(api.getPaths().get("/api/v1/jobs/batch").getPost().getResponses()).containsKey("201").doesNotContainKey("200");
        assertThat(api.getPaths().get("/api/v1/jobs/{id}/cancel").getPost().getResponses()).containsKeys("200", "202", "409");
        assertThat(api.getPaths().get("/api/v1/jobs/{id}/tokens").getPost().getResponses()).containsKey("201");
        assertThat(api.getComponents().getSchemas()).doesNotContainKeys("JsonNode", "JsonNodeType", "OutboundSseEvent", "MediaType")
                .containsKeys("JobDocument", "Enqueue", "Problem", "ProgressEvent", "ItemEvent", "ResetEvent", "QueuePatch");
        assertThat(api.getComponents().getSchemas().keySet()).as("no Java class names").allMatch(name -> !name.contains("."));
        Schema<?> queue = api.getComponents().getSchemas().get("Queue");
        Schema<?> concurrency = (Schema<?>) queue.getProperties().get("concurrency");
        assertThat(concurrency.getTypes()).as("a null the service writes is a null the type allows").contains("null");
        ApiResponse stream = api.getPaths().get("/api/v1/jobs/{id}/events").getGet().getResponses().get("200");
        assertThat(stream.getContent()).containsKey("text/event-stream");
        assertThat(stream.getExtensions()).containsKey("x-events");
        @SuppressWarnings("unchecked")
        Map<String, Object> events = (Map<String, Object>) stream.getExtensions().get("x-events");
        assertThat(events).containsKeys("status", "progress", "log", "item");
    }

    private static Map<String, ApiResponse> successes(Operation operation) {
        Map<String, ApiResponse> ok = new TreeMap<>();
        operation.getResponses().forEach((status, reply) -> {
            if (status.startsWith("2")) {
                ok.put(status, reply);
            }
        });
        return ok;
    }
}
