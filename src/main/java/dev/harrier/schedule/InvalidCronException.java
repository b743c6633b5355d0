package dev.harrier.schedule;

/** A cron expression or time zone that cannot be used; {@link #field} names it ({@code cron[1]}, {@code timeZone}). */
public final class InvalidCronException extends IllegalArgumentException {

    private final String field;

    InvalidCronException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
