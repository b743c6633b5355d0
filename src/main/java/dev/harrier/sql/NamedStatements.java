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
 * header. A name is lower case with underscores; any other name line, an empty block, two
 * statements in one block (a line that ends with a semicolon before the last) and a name used twice
 * are refused with the line they are on, when the service starts.
 */
final class NamedStatements {

    private static final Pattern NAME_LINE = Pattern.compile("^--\\s*name\\s*:\\s*(.*?)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private NamedStatements() {
    }

    static Map<String, String> parse(String text) {
        Map<String, String> statements = new LinkedHashMap<>();
        String name = null;
        int nameLine = 0;
        StringBuilder body = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher matcher = NAME_LINE.matcher(line);
            if (matcher.matches()) {
                put(statements, name, nameLine, body);
                name = matcher.group(1);
                nameLine = i + 1;
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalStateException("line " + nameLine + ": a statement's name is lower case, "
                            + "digits and underscores: " + line);
                }
                body.setLength(0);
            } else if (name != null && !(body.isEmpty() && line.startsWith("--"))) {
                body.append(line).append('\n');
            }
        }
        put(statements, name, nameLine, body);
        return Collections.unmodifiableMap(statements);
    }

    private static void put(Map<String, String> statements, String name, int line, StringBuilder body) {
        if (name == null) {
            return;
        }
        String statement = body.toString().strip();
        if (statement.endsWith(";")) {
            statement = statement.substring(0, statement.length() - 1).stripTrailing();
        }
        if (statement.isEmpty()) {
            throw new IllegalStateException("line " + line + ": statement " + name + " is empty");
        }
        if (statement.contains(";\n")) {
            throw new IllegalStateException("line " + line + ": statement " + name + " holds more than one "
                    + "(a line before its last ends with a semicolon)");
        }
        if (statements.put(name, statement) != null) {
            throw new IllegalStateException("line " + line + ": two statements are named " + name);
        }
    }
}
