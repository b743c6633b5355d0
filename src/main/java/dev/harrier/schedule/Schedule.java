package dev.harrier.schedule;

import java.time.Instant;
import java.util.List;

/**
 * A schedule as stored: its cron expressions and time zone, the enqueue body of its runs as JSON
 * text ({@code jobJson}), its policies, and the next fire time not decided yet.
 */
public record Schedule(String workspace, String name, List<String> cron, String timeZone, String jobJson,
                       String overlap, String catchUp, boolean paused, String description, String source,
                       Instant nextFireAt, Instant createdAt, Instant updatedAt) {
}
