package dev.harrier.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schema (draft 2020-12) of a Java kind's arguments, generated from its argument record
 * by victools' generator: what {@code GET /api/v1/kinds} shows for the kinds this service runs.
 */
@Singleton
public class ArgsSchemaGenerator {

    private final SchemaGenerator generator = new SchemaGenerator(
            new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON).build());
    private final Map<Class<?>, JsonNode> schemas = new ConcurrentHashMap<>();

    public JsonNode schemaOf(JobHandler<?, ?> handler) {
        return schemas.computeIfAbsent(handler.argsType(), generator::generateSchema);
    }
}
