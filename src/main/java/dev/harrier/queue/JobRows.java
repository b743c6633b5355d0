package dev.harrier.queue;

import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/** Reads {@link Job}s from rows selected with {@link JobSql#COLUMNS}; converts times. */
public final class JobRows {

    private JobRows() {
    }

    public static Job toJob(Row row) {
        String[] tags = row.getArrayOfStrings("tags");
        String errorMessage = row.getString("error_message");
        Job.JobError error = errorMessage == null ? null
                : new Job.JobError(errorMessage, row.getString("error_type"), row.getInteger("error_attempt"), instant(row, "error_at"));
        return new Job(
                row.getUUID("id"),
                row.getString("workspace"),
                row.getString("queue"),
                row.getString("kind"),
                JobStatus.fromWire(row.getString("status")),
                row.getInteger("priority"),
                row.getInteger("attempt"),
                row.getInteger("max_attempts"),
                row.getString("args"),
                row.getInteger("timeout_seconds"),
                new Job.Progress(row.getString("progress_step"), row.getString("progress_details"),
                        row.getLong("progress_done"), row.getLong("progress_total")),
                row.getString("result"),
                error,
                row.getString("unique_key"),
                tags == null ? List.of() : Arrays.asList(tags),
                row.getUUID("parent_id"),
                row.getLong("last_event_seq"),
                instant(row, "created_at"),
                instant(row, "updated_at"),
                instant(row, "run_at"),
                instant(row, "started_at"),
                instant(row, "finished_at"));
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    public static Instant instant(Row row, int column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    public static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
