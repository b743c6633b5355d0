package dev.harrier.dataset;

import dev.harrier.handler.FieldProblem;
import java.util.List;
import java.util.regex.Pattern;

/** A dataset's name: {@code A-Z a-z 0-9 . _ -}, 1 to 100 characters (the contract's names). */
public final class DatasetNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private DatasetNames() {
    }

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static void check(List<FieldProblem> problems, String field, String name) {
        if (!valid(name)) {
            problems.add(new FieldProblem(field, "must be 1 to 100 letters, digits or . _ -"));
        }
    }
}
