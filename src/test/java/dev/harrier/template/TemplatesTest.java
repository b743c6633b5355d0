package dev.harrier.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-pass literal scanner of pipeline templates. */
class TemplatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static JsonNode fill(String template, String item) throws Exception {
        return Templates.fill(json(template), Map.of("item", json(item), "index", IntNode.valueOf(4),
                "job", json("{\"id\": \"j-1\"}")));
    }

    @Test
    void aStringThatIsOnePlaceholderTakesTheValueAndItsType() throws Exception {
        JsonNode filled = fill("{\"n\": \"{{item.n}}\", \"o\": \"{{item.o}}\", \"all\": \"{{item}}\", \"i\": \"{{index}}\"}",
                "{\"n\": 3.5, \"o\": {\"a\": [1, true]}}");
        assertThat(filled.get("n").isNumber()).isTrue();
        assertThat(filled.get("n").doubleValue()).isEqualTo(3.5);
        assertThat(filled.get("o")).isEqualTo(json("{\"a\": [1, true]}"));
        assertThat(filled.get("all").get("n").doubleValue()).isEqualTo(3.5);
        assertThat(filled.get("i").intValue()).isEqualTo(4);
    }

    @Test
    void insideTextValuesAreTheirTextAndPathsWalkObjectsAndArrays() throws Exception {
        JsonNode filled = fill("[\"q={{item.q}}&l={{item.loc.0.city}}#{{index}}/{{job.id}}\", \"{{item.n}}!\"]",
                "{\"q\": \"java dev\", \"loc\": [{\"city\": \"London\"}], \"n\": 7}");
        assertThat(filled.get(0).textValue()).isEqualTo("q=java dev&l=London#4/j-1");
        assertThat(filled.get(1).textValue()).isEqualTo("7!");
    }

    @Test
    void substitutedTextIsNeverScannedAgainAndOtherBracesStay() throws Exception {
        JsonNode filled = fill("{\"a\": \"{{item.s}}\", \"b\": \"x{{item.t}}y\", \"c\": \"{{secret:KEY}} {{result.x}} {{ item.s }} {{\", "
                        + "\"{{item.s}}\": \"key stays\"}",
                "{\"s\": \"{{secret:APP_TOKEN}}\", \"t\": \"{{item.s}}\"}");
        assertThat(filled.get("a").textValue()).isEqualTo("{{secret:APP_TOKEN}}");
        assertThat(filled.get("b").textValue()).isEqualTo("x{{item.s}}y");
        assertThat(filled.get("c").textValue()).isEqualTo("{{secret:KEY}} {{result.x}} {{ item.s }} {{");
        assertThat(filled.get("{{item.s}}").textValue()).isEqualTo("key stays");
    }

    @Test
    void aMissingFieldCannotBeFilled() {
        assertThatThrownBy(() -> fill("{\"a\": \"{{item.user.name}}\"}", "{\"user\": {}}"))
                .isInstanceOf(Templates.Unfillable.class)
                .hasMessage("{{item.user.name}}: item.user has no field name");
        assertThatThrownBy(() -> fill("\"{{item.list.3}}\"", "{\"list\": [1]}"))
                .isInstanceOf(Templates.Unfillable.class)
                .hasMessageContaining("has no element 3");
    }
}
