package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ItemWriterTest {

    @Test
    void jsonNulEscapesThatJsonbRefusesAreDropped() {
        assertThat(ItemWriter.withoutNulEscape("{\"t\": \"a\\u0000b\\u0000\"}")).isEqualTo("{\"t\": \"ab\"}");
        assertThat(ItemWriter.withoutNulEscape("[\"\\\\\\u0000\"]")).isEqualTo("[\"\\\\\"]");
    }

    @Test
    void anEscapedBackslashFollowedByTheLettersU0000IsKept() {
        String text = "{\"path\": \"c:\\\\u0000\"}";
        assertThat(ItemWriter.withoutNulEscape(text)).isEqualTo(text);
        assertThat(ItemWriter.withoutNulEscape(null)).isNull();
    }
}
