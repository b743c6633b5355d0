package dev.harrier.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgTextTest {

    @Test
    void jsonNulEscapesThatJsonbRefusesAreDropped() {
        assertThat(PgText.withoutNulEscape("{\"t\": \"a\\u0000b\\u0000\"}")).isEqualTo("{\"t\": \"ab\"}");
        assertThat(PgText.withoutNulEscape("[\"\\\\\\u0000\"]")).isEqualTo("[\"\\\\\"]");
    }

    @Test
    void anEscapedBackslashFollowedByTheLettersU0000IsKept() {
        String text = "{\"path\": \"c:\\\\u0000\"}";
        assertThat(PgText.withoutNulEscape(text)).isEqualTo(text);
        assertThat(PgText.withoutNulEscape(null)).isNull();
    }
}
