package dev.harrier.api;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Renames component schemas the scanner named after Java classes ({@code java.time.Instant}, the
 * Jackson node of free-form JSON), and every reference to them, so that a generated client's types
 * read {@code Instant} and {@code AnyJson}.
 */
final class SchemaNames {

    private static final String PREFIX = "#/components/schemas/";

    private SchemaNames() {
    }

    static void rename(OpenAPI openAPI, Map<String, String> names) {
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        names.forEach((from, to) -> {
            Schema schema = schemas.get(from);
            if (schema != null) {
                openAPI.getComponents().removeSchema(from);
                openAPI.getComponents().addSchema(to, schema);
            }
        });
        openAPI.getComponents().getSchemas().values().forEach(schema -> visit(schema, names));
        if (openAPI.getPaths() != null) {
            openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(operation -> {
                if (operation.getRequestBody() != null) {
                    visit(operation.getRequestBody().getContent(), names);
                }
                if (operation.getResponses() != null) {
                    operation.getResponses().getAPIResponses().values().forEach(reply -> visit(reply.getContent(), names));
                }
                if (operation.getParameters() != null) {
                    operation.getParameters().forEach(parameter -> visit(parameter.getSchema(), names));
                }
            }));
        }
    }

    private static void visit(Content content, Map<String, String> names) {
        if (content != null && content.getMediaTypes() != null) {
            content.getMediaTypes().values().forEach(type -> visit(type.getSchema(), names));
        }
    }

    private static void visit(Schema schema, Map<String, String> names) {
        if (schema == null) {
            return;
        }
        String ref = schema.getRef();
        if (ref != null && ref.startsWith(PREFIX) && names.containsKey(ref.substring(PREFIX.length()))) {
            schema.setRef(PREFIX + names.get(ref.substring(PREFIX.length())));
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(property -> visit(property, names));
        }
        visit(schema.getItems(), names);
        if (schema.getAdditionalPropertiesSchema() != null) {
            visit(schema.getAdditionalPropertiesSchema(), names);
        }
        for (var list : new List[] {schema.getAnyOf(), schema.getOneOf(), schema.getAllOf()}) {
            if (list != null) {
                for (Object element : list) {
                    visit((Schema) element, names);
                }
            }
        }
    }
}
