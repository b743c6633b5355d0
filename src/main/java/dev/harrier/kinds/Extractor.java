package dev.harrier.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Turns a fetched page into records: {@code html} with CSS selectors (jsoup; {@code "a@href"} takes
 * an attribute), {@code json} with JSON Pointers, {@code raw} as text. With a {@code list}, each
 * element it selects is one record; without, the page is one record.
 */
final class Extractor {

    static final int RAW_LIMIT = 64 * 1024;

    /** {@code {"type": "html|json|raw", "list": "...", "fields": {"name": "selector"}}}. */
    record Spec(String type, String list, Map<String, String> fields) {
    }

    private final ObjectMapper mapper;

    Extractor(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** An array of records (an object or a string each). */
    JsonNode extract(Spec spec, byte[] body, String baseUrl) {
        String type = spec == null || spec.type() == null ? "raw" : spec.type();
        return switch (type) {
            case "html" -> html(spec, new String(body, StandardCharsets.UTF_8), baseUrl);
            case "json" -> json(spec, body);
            default -> raw(body);
        };
    }

    private JsonNode html(Spec spec, String body, String baseUrl) {
        Document page = Jsoup.parse(body, baseUrl);
        ArrayNode records = mapper.createArrayNode();
        Iterable<Element> scopes = spec.list() == null ? List.of(page) : page.select(spec.list());
        for (Element scope : scopes) {
            ObjectNode record = mapper.createObjectNode();
            if (spec.fields() == null || spec.fields().isEmpty()) {
                record.put("text", scope.text());
            } else {
                spec.fields().forEach((name, selector) -> record.put(name, field(scope, selector)));
            }
            records.add(record);
        }
        return records;
    }

    private static String field(Element scope, String selector) {
        int at = selector.lastIndexOf('@');
        String css = at < 0 ? selector : selector.substring(0, at);
        String attribute = at < 0 ? null : selector.substring(at + 1);
        Element element = css.isBlank() ? scope : scope.selectFirst(css);
        if (element == null) {
            return null;
        }
        if (attribute == null) {
            return element.text();
        }
        String value = element.absUrl(attribute);
        return value.isEmpty() ? element.attr(attribute) : value;
    }

    private JsonNode json(Spec spec, byte[] body) {
        JsonNode page;
        try {
            page = mapper.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        ArrayNode records = mapper.createArrayNode();
        JsonNode list = spec.list() == null ? null : page.at(spec.list());
        Iterable<JsonNode> scopes = list != null && list.isArray() ? list : List.of(page);
        for (JsonNode scope : scopes) {
            if (spec.fields() == null || spec.fields().isEmpty()) {
                records.add(scope);
                continue;
            }
            ObjectNode record = mapper.createObjectNode();
            spec.fields().forEach((name, pointer) -> {
                JsonNode value = scope.at(pointer);
                record.set(name, value.isMissingNode() ? null : value);
            });
            records.add(record);
        }
        return records;
    }

    private JsonNode raw(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, RAW_LIMIT), StandardCharsets.UTF_8);
        return mapper.createArrayNode().add(text);
    }
}
