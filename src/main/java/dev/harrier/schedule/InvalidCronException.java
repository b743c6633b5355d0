package dev.harrier.schedule;

/** A cron expression or time zone that cannot be used; {@link #field} names it ({@code cron[1]}, {@code timeZone}). */
public final class InvalidCronException extends IllegalArgumentException {

    private final String field;
    private final String problem;

    InvalidCronException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    /** What is wrong with the field, without its name. */
    public String problem() {
        return problem;
    }
}
