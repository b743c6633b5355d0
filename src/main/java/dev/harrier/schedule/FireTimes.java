package dev.harrier.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fire times of a schedule: one or more five-field Unix cron expressions (or {@code @daily} and
 * the other macros) read as wall-clock times in an IANA time zone. cron-utils parses and matches
 * the expressions on the wall clock alone; the time zone's rules are applied here, as the contract
 * says: a wall-clock time in a repeated hour (clocks go back) fires at its first occurrence only,
 * the times in a gap (clocks go forward) fire once, at the end of the gap, and fires of several
 * expressions at one instant are one fire.
 */
public final class FireTimes {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final String[] FIELDS = {"minute", "hour", "day-of-month", "month", "day-of-week"};
    // The macros, as cron(8) defines them.
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final Pattern OUT_OF_RANGE = Pattern.compile("Value (\\S+) not in range \\[(\\d+), (\\d+)]");
    // Far more wall-clock matches than one instant can skip (a repeated hour of every-minute fires).
    private static final int MAX_STEPS = 10_000;

    private final List<ExecutionTime> expressions;
    private final ZoneId zone;
    private final ZoneRules rules;

    private FireTimes(List<ExecutionTime> expressions, ZoneId zone) {
        this.expressions = expressions;
        this.zone = zone;
        this.rules = zone.getRules();
    }

    /**
     * Reads the expressions and the zone.
     *
     * @throws InvalidCronException naming the expression ({@code cron[i]}) and its field, or {@code timeZone}
     */
    public static FireTimes of(List<String> cron, String timeZone) {
        ZoneId zone = zone(timeZone);
        List<ExecutionTime> expressions = new ArrayList<>(cron.size());
        for (int i = 0; i < cron.size(); i++) {
            expressions.add(ExecutionTime.forCron(parse(cron.get(i), "cron[" + i + "]")));
        }
        return new FireTimes(expressions, zone);
    }

    /**
     * Every problem of the expressions and the zone at once (each expression and the zone read on
     * their own), in that order; empty when {@link #of} would succeed.
     */
    public static List<InvalidCronException> problems(List<String> cron, String timeZone) {
        List<InvalidCronException> problems = new ArrayList<>();
        for (int i = 0; i < cron.size(); i++) {
            try {
                ExecutionTime.forCron(parse(cron.get(i), "cron[" + i + "]"));
            } catch (InvalidCronException e) {
                problems.add(e);
            }
        }
        try {
            zone(timeZone);
        } catch (InvalidCronException e) {
            problems.add(e);
        }
        return problems;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first fire strictly after {@code after}, if the expressions ever fire again. */
    public Optional<Instant> next(Instant after) {
        Instant first = null;
        for (ExecutionTime expression : expressions) {
            Instant next = next(expression, after);
            if (next != null && (first == null || next.isBefore(first))) {
                first = next;
            }
        }
        return Optional.ofNullable(first);
    }

    /** The next {@code count} fires after {@code after}, in order. */
    public List<Instant> next(Instant after, int count) {
        List<Instant> fires = new ArrayList<>(count);
        Instant at = after;
        while (fires.size() < count) {
            Optional<Instant> next = next(at);
            if (next.isEmpty()) {
                break;
            }
            at = next.get();
            fires.add(at);
        }
        return fires;
    }

    /** The fires after {@code after} up to {@code until} (inclusive), the latest {@code max} of them, in order. */
    public List<Instant> between(Instant after, Instant until, int max) {
        List<Instant> fires = new ArrayList<>();
        Instant at = after;
        while (true) {
            Optional<Instant> next = next(at);
            if (next.isEmpty() || next.get().isAfter(until)) {
                break;
            }
            at = next.get();
            fires.add(at);
            if (fires.size() > max) {
                fires.remove(0);
            }
        }
        return fires;
    }

    private Instant next(ExecutionTime expression, Instant after) {
        // Matched on the wall clock (as if in UTC: no transitions), then placed in the zone. A match
        // that lands at or before `after` is a second occurrence of a repeated hour, or the gap's
        // end already fired: the search goes on from it.
        LocalDateTime wall = LocalDateTime.ofInstant(after, zone);
        for (int step = 0; step < MAX_STEPS; step++) {
            Optional<LocalDateTime> match = expression.nextExecution(wall.atZone(ZoneOffset.UTC))
                    .map(t -> t.toLocalDateTime());
            if (match.isEmpty()) {
                return null;
            }
            Instant at = instant(match.get());
            if (at.isAfter(after)) {
                return at;
            }
            wall = match.get();
        }
        throw new IllegalStateException("no fire found after " + after + " within " + MAX_STEPS + " matches");
    }

    /** The instant of a wall-clock time: its first occurrence if repeated, the gap's end if skipped. */
    private Instant instant(LocalDateTime wall) {
        ZoneOffsetTransition transition = rules.getTransition(wall);
        if (transition == null) {
            return wall.toInstant(rules.getOffset(wall));
        }
        return transition.isGap() ? transition.getInstant() : wall.toInstant(transition.getOffsetBefore());
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null) {
            return ZoneOffset.UTC;
        }
        // IANA names only ("Europe/London", "UTC"); fixed offsets such as "+01:00" are refused.
        if (!ZoneId.getAvailableZoneIds().contains(timeZone)) {
            throw new InvalidCronException("timeZone", "'" + timeZone + "' is not an IANA time zone (such as Europe/London or UTC)");
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new InvalidCronException("timeZone", e.getMessage());
        }
    }

    private static Cron parse(String expression, String field) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidCronException(field, "an expression is required");
        }
        String text = expression.trim();
        if (text.startsWith("@")) {
            String macro = MACROS.get(text.toLowerCase(Locale.ROOT));
            if (macro == null) {
                throw new InvalidCronException(field, "unknown macro " + text + " (use @yearly, @annually, @monthly, "
                        + "@weekly, @daily, @midnight or @hourly)");
            }
            text = macro;
        }
        String[] parts = text.split("\\s+");
        if (parts.length != FIELDS.length) {
            throw new InvalidCronException(field, parts.length + " fields, expected 5 (minute hour day-of-month month "
                    + "day-of-week) or a macro such as @daily");
        }
        try {
            return PARSER.parse(text);
        } catch (IllegalArgumentException whole) {
            throw new InvalidCronException(field, culprit(parts, whole));
        }
    }

    /** Which of the five fields cron-utils refused, and why: each is tried alone, the others `*`. */
    private static String culprit(String[] parts, IllegalArgumentException whole) {
        for (int i = 0; i < parts.length; i++) {
            String[] alone = {"*", "*", "*", "*", "*"};
            alone[i] = parts[i];
            try {
                PARSER.parse(String.join(" ", alone));
            } catch (IllegalArgumentException e) {
                Matcher range = OUT_OF_RANGE.matcher(e.getMessage());
                if (range.find()) {
                    return FIELDS[i] + " " + range.group(1) + " is out of range " + range.group(2) + "-" + range.group(3);
                }
                return FIELDS[i] + " '" + parts[i] + "': " + reason(e);
            }
        }
        return reason(whole);
    }

    private static String reason(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "not a cron expression" : e.getMessage();
        return message.replace("Failed to parse cron expression. ", "").replace("Failed to parse '", "'");
    }
}
