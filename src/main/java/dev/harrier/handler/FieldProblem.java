package dev.harrier.handler;

/** One problem with a job's input: the field, as a path such as {@code args.urls[3]}, and what is wrong. */
public record FieldProblem(String field, String message) {

    /** The same problem with its field put under {@code prefix} (for example {@code args}). */
    public FieldProblem under(String prefix) {
        if (field == null || field.isEmpty()) {
            return new FieldProblem(prefix, message);
        }
        return new FieldProblem(prefix + (field.startsWith("[") ? "" : ".") + field, message);
    }
}
