package dev.harrier.queue;

import dev.harrier.sql.Columns;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads {@link Job}s from rows selected with the job columns of {@code sql/jobs.sql}; converts times. */
public final class JobRows {

    /** Past any real date: the 'infinity' of a held child's run_at. */
    private static final Instant HELD = Instant.parse("9999-01-01T00:00:00Z");

    private JobRows() {
    }

    /** Reads one row; for the rows of a result, {@link #toJobs(RowSet)} finds the columns once. */
    public static Job toJob(Row row) {
        return new Reader(Columns.of(row)).read(row);
    }

    /** Reads the rows of one result, in order, the positions of its columns found once for all of them. */
    public static List<Job> toJobs(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return List.of();
        }
        Reader reader = new Reader(Columns.of(rows));
        List<Job> jobs = new ArrayList<>(rows.size());
        for (Row row : rows) {
            jobs.add(reader.read(row));
        }
        return jobs;
    }

    private static final class Reader {
        private final int id;
        private final int workspace;
        private final int queue;
        private final int kind;
        private final int status;
        private final int priority;
        private final int attempt;
        private final int maxAttempts;
        private final int args;
        private final int timeoutSeconds;
        private final int progressStep;
        private final int progressDetails;
        private final int progressDone;
        private final int progressTotal;
        private final int result;
        private final int errorMessage;
        private final int errorType;
        private final int errorAttempt;
        private final int errorAt;
        private final int uniqueKey;
        private final int tags;
        private final int parentId;
        private final int schedule;
        private final int scheduledFor;
        private final int triggered;
        private final int lastEventSeq;
        private final int createdAt;
        private final int updatedAt;
        private final int runAt;
        private final int startedAt;
        private final int finishedAt;
        private final int childFailure;
        private final int childrenTotal;
        private final int childrenRunning;
        private final int childrenCompleted;
        private final int childrenFailed;
        private final int childrenCancelled;
        private final int then;
        private final int callback;
        private final int backoff;

        Reader(Columns columns) {
            id = columns.at("id");
            workspace = columns.at("workspace");
            queue = columns.at("queue");
            kind = columns.at("kind");
            status = columns.at("status");
            priority = columns.at("priority");
            attempt = columns.at("attempt");
            maxAttempts = columns.at("max_attempts");
            args = columns.at("args");
            timeoutSeconds = columns.at("timeout_seconds");
            progressStep = columns.at("progress_step");
            progressDetails = columns.at("progress_details");
            progressDone = columns.at("progress_done");
            progressTotal = columns.at("progress_total");
            result = columns.at("result");
            errorMessage = columns.at("error_message");
            errorType = columns.at("error_type");
            errorAttempt = columns.at("error_attempt");
            errorAt = columns.at("error_at");
            uniqueKey = columns.at("unique_key");
            tags = columns.at("tags");
            parentId = columns.at("parent_id");
            schedule = columns.at("schedule");
            scheduledFor = columns.at("scheduled_for");
            triggered = columns.at("triggered");
            lastEventSeq = columns.at("last_event_seq");
            createdAt = columns.at("created_at");
            updatedAt = columns.at("updated_at");
            runAt = columns.at("run_at");
            startedAt = columns.at("started_at");
            finishedAt = columns.at("finished_at");
            childFailure = columns.at("child_failure");
            childrenTotal = columns.at("children_total");
            childrenRunning = columns.at("children_running");
            childrenCompleted = columns.at("children_completed");
            childrenFailed = columns.at("children_failed");
            childrenCancelled = columns.at("children_cancelled");
            then = columns.at("then_job");
            callback = columns.at("callback");
            backoff = columns.at("backoff");
        }

        Job read(Row row) {
            String[] tagList = row.getArrayOfStrings(tags);
            String message = row.getString(errorMessage);
            Job.JobError error = message == null ? null
                    : new Job.JobError(message, row.getString(errorType), row.getInteger(errorAttempt), instant(row, errorAt));
            return new Job(
                    row.getUUID(id),
                    row.getString(workspace),
                    row.getString(queue),
                    row.getString(kind),
                    JobStatus.fromWire(row.getString(status)),
                    row.getInteger(priority),
                    row.getInteger(attempt),
                    row.getInteger(maxAttempts),
                    row.getString(args),
                    row.getInteger(timeoutSeconds),
                    new Job.Progress(row.getString(progressStep), row.getString(progressDetails),
                            row.getLong(progressDone), row.getLong(progressTotal)),
                    row.getString(result),
                    error,
                    row.getString(uniqueKey),
                    tagList == null ? List.of() : Arrays.asList(tagList),
                    row.getUUID(parentId),
                    row.getString(schedule),
                    instant(row, scheduledFor),
                    Boolean.TRUE.equals(row.getBoolean(triggered)),
                    row.getLong(lastEventSeq),
                    instant(row, createdAt),
                    instant(row, updatedAt),
                    runAt(row),
                    instant(row, startedAt),
                    instant(row, finishedAt),
                    pipeline(row));
        }

        /** A held child's run_at is 'infinity' (read as the largest date): shown as none. */
        private Instant runAt(Row row) {
            Instant at = instant(row, runAt);
            return at == null || at.isAfter(HELD) ? null : at;
        }

        private Job.Pipeline pipeline(Row row) {
            int total = row.getInteger(childrenTotal);
            String thenJson = row.getString(then);
            String callbackJson = row.getString(callback);
            String backoffJson = row.getString(backoff);
            String policy = row.getString(childFailure);
            if (total == 0 && thenJson == null && callbackJson == null && backoffJson == null && "ignore".equals(policy)) {
                return Job.Pipeline.NONE;
            }
            Job.Children children = null;
            if (total > 0) {
                int running = row.getInteger(childrenRunning);
                int completed = row.getInteger(childrenCompleted);
                int failed = row.getInteger(childrenFailed);
                int cancelled = row.getInteger(childrenCancelled);
                children = new Job.Children(total, total - running - completed - failed - cancelled, running,
                        completed, failed, cancelled);
            }
            return new Job.Pipeline(policy, children, thenJson, callbackJson, backoffJson);
        }
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
