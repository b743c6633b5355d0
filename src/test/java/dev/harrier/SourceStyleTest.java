package dev.harrier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the format check (Spotless, at validate) does not see: no class is named by its full name in
 * code, unless another class of the same simple name is imported in that file.
 */
class SourceStyleTest {

    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.\"])((?:java|javax|jakarta|io|org|com|dev)\\.(?:[a-z_][a-z0-9_]*\\.)+)([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?([\\w.]+)\\.(\\w+);");
    // Comments, text blocks, strings and characters, blanked before the search.
    private static final Pattern NOT_CODE = Pattern.compile(
            "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'", Pattern.DOTALL);

    @Test
    void noClassIsNamedByItsFullNameInCode() throws IOException {
        List<String> found = new ArrayList<>();
        for (String root : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    found.addAll(qualifiedNames(file));
                }
            }
        }
        assertThat(found).isEmpty();
    }

    private static List<String> qualifiedNames(Path file) throws IOException {
        String source = Files.readString(file);
        Map<String, String> imported = new HashMap<>();
        Matcher imports = IMPORT.matcher(source);
        int bodyStart = 0;
        while (imports.find()) {
            imported.put(imports.group(2), imports.group(1));
            bodyStart = imports.end();
        }
        String code = NOT_CODE.matcher(source.substring(bodyStart)).replaceAll(" ");
        List<String> found = new ArrayList<>();
        Matcher qualified = QUALIFIED.matcher(code);
        while (qualified.find()) {
            String pkg = qualified.group(1).substring(0, qualified.group(1).length() - 1);
            String other = imported.get(qualified.group(2));
            if (other == null || other.equals(pkg)) {
                found.add(file + ": " + qualified.group());
            }
        }
        return found;
    }
}
