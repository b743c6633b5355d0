package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.RegularExpression;
import dev.harrier.handler.FieldProblem;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas (draft 2020-12) of remote kinds' arguments: checked when a kind is declared,
 * applied at enqueue. The validator is networknt's, set up so that a schema cannot make the service
 * do anything but check: no schema is ever fetched (the loader refuses every location, and a
 * {@code $ref} outside the document is refused when the kind is declared), and {@code pattern} runs
 * on RE2 (linear time), so no enqueue can backtrack for seconds. Compiled schemas are kept by their
 * text, a bounded number of them.
 */
@ApplicationScoped
public class ArgsSchemas {

    public static final int MAX_SCHEMA_BYTES = 64 * 1024;
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final int CACHED = 1_000;
    private static final int MAX_PROBLEMS = 20;

    private final ObjectMapper mapper;
    private final SchemaRegistry registry;
    private final Map<String, Schema> compiled = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
            return size() > CACHED;
        }
    });

    public ArgsSchemas(ObjectMapper mapper) {
        this.mapper = mapper;
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .regularExpressionFactory(ArgsSchemas::re2)
                .formatAssertionsEnabled(false)
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemaRegistryConfig(config)
                .schemaLoader(loader -> loader.fetchRemoteResources(false).block(location -> true)));
    }

    /**
     * The problems of a schema sent with a kind, named below {@code argsSchema}: too large, another
     * dialect, a reference outside the document, or one the validator cannot compile.
     */
    public List<FieldProblem> check(JsonNode schema) {
        List<FieldProblem> problems = new ArrayList<>();
        if (schema == null || schema.isNull()) {
            return problems;
        }
        if (!schema.isObject() && !schema.isBoolean()) {
            problems.add(new FieldProblem("argsSchema", "must be a JSON Schema: an object or a boolean"));
            return problems;
        }
        if (schema.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SCHEMA_BYTES) {
            problems.add(new FieldProblem("argsSchema", "must be at most " + MAX_SCHEMA_BYTES + " bytes of JSON"));
            return problems;
        }
        JsonNode dialect = schema.get("$schema");
        if (dialect != null && !(dialect.isTextual() && DIALECT.equals(dialect.asText().replaceAll("#$", "")))) {
            problems.add(new FieldProblem("argsSchema/$schema", "must be " + DIALECT + " (draft 2020-12), the only dialect accepted"));
        }
        references(schema, "argsSchema", problems);
        if (problems.isEmpty()) {
            try {
                compile(schema.toString());
            } catch (RuntimeException e) {
                problems.add(new FieldProblem("argsSchema", "cannot be compiled: " + e.getMessage()));
            }
        }
        return problems;
    }

    /** The problems of {@code args} against a kind's schema, each a JSON Pointer below {@code args}. */
    public List<FieldProblem> validate(String schemaJson, JsonNode args) {
        List<Error> errors = compile(schemaJson).validate(args);
        List<FieldProblem> problems = new ArrayList<>();
        for (Error error : errors) {
            if (problems.size() == MAX_PROBLEMS) {
                problems.add(new FieldProblem("args", "and " + (errors.size() - MAX_PROBLEMS) + " more problems"));
                break;
            }
            String pointer = error.getInstanceLocation().toString();
            problems.add(new FieldProblem("args" + pointer, error.getMessage()));
        }
        return problems;
    }

    private Schema compile(String schemaJson) {
        Schema schema = compiled.get(schemaJson);
        if (schema == null) {
            try {
                schema = registry.getSchema(mapper.readTree(schemaJson));
            } catch (IOException e) {
                throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
            }
            schema.initializeValidators();
            compiled.put(schemaJson, schema);
        }
        return schema;
    }

    /** Every {@code $ref} and {@code $dynamicRef} must point inside the document ({@code #...}). */
    private static void references(JsonNode node, String path, List<FieldProblem> problems) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String at = path + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                boolean reference = field.getKey().equals("$ref") || field.getKey().equals("$dynamicRef");
                if (reference && !(field.getValue().isTextual() && field.getValue().asText().startsWith("#"))) {
                    problems.add(new FieldProblem(at, "must point inside the schema (start with #): schemas are never fetched"));
                } else {
                    references(field.getValue(), at, problems);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                references(node.get(i), path + "/" + i, problems);
            }
        }
    }

    /** A {@code pattern} on RE2: matching takes time linear in the input, whatever the expression. */
    private static RegularExpression re2(String regex) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pattern '" + regex + "' is not a regular expression RE2 accepts: "
                    + e.getDescription());
        }
        return input -> pattern.matcher(input).find();
    }
}
