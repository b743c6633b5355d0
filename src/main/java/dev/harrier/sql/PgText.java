package dev.harrier.sql;

import java.util.regex.Pattern;

/**
 * What PostgreSQL cannot store, taken out of text that Harrier did not choose (a scraped page, a
 * handler's result, an error message): it refuses the NUL character in text and its JSON escape in
 * jsonb, and one such row fails its whole batch statement, which holds rows of many jobs.
 */
public final class PgText {

    private static final Pattern NUL_ESCAPE = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private PgText() {
    }

    /** The text without NUL characters. */
    public static String withoutNul(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    }

    /** JSON text without NUL escapes (an escaped backslash followed by the letters u0000 stays). */
    public static String withoutNulEscape(String json) {
        if (json == null || !json.contains("\\u0000")) {
            return json;
        }
        return NUL_ESCAPE.matcher(json).replaceAll("$1");
    }
}
