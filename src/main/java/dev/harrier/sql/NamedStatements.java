package dev.harrier.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a file of named statements: each starts at a line {@code -- name: <name>}, and runs to the
 * next such line. The comment lines right under the name document it and are not sent; the
 * statement's closing semicolon is not sent either. Lines before the first name are the file's
 * header.
 */
final class NamedStatements {

    private static final Pattern NAME = Pattern.compile("^-- name: ([a-z][a-z0-9_]*)\\s*$");

    private NamedStatements() {
    }

    static Map<String, String> parse(String text) {
        Map<String, String> statements = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            Matcher matcher = NAME.matcher(line);
            if (matcher.matches()) {
                put(statements, name, body);
                name = matcher.group(1);
                body.setLength(0);
            } else if (name != null && !(body.isEmpty() && line.startsWith("--"))) {
                body.append(line).append('\n');
            }
        }
        put(statements, name, body);
        return Collections.unmodifiableMap(statements);
    }

    private static void put(Map<String, String> statements, String name, StringBuilder body) {
        if (name == null) {
            return;
        }
        String statement = body.toString().strip();
        if (statement.endsWith(";")) {
            statement = statement.substring(0, statement.length() - 1).stripTrailing();
        }
        if (statement.isEmpty() || statement.contains(";\n")) {
            throw new IllegalStateException("statement " + name + " is empty or more than one");
        }
        if (statements.put(name, statement) != null) {
            throw new IllegalStateException("two statements are named " + name);
        }
    }
}
