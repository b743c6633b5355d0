package dev.harrier.schedule;

import dev.harrier.queue.JobRows;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The schedules of the workspaces: create or replace, read, pause, delete, and their latest runs. */
@ApplicationScoped
public class ScheduleStore {

    /** What a PUT gives: the schedule, and whether it was created (not replaced). */
    public record Put(Schedule schedule, boolean created) {
    }

    /** The latest run of a schedule. */
    public record LastRun(UUID jobId, Instant scheduledFor, String status) {
    }

    private final Pool pool;

    public ScheduleStore(Pool pool) {
        this.pool = pool;
    }

    /** Creates or replaces; {@code nextFireAt} is the first fire after now (null: never). */
    public Uni<Put> put(Schedule s) {
        return pool.preparedQuery(Table.SCHEDULES.sql("upsert"))
                .execute(Tuple.from(Arrays.asList(s.workspace(), s.name(), s.cron().toArray(String[]::new), s.timeZone(),
                        s.jobJson(), s.overlap(), s.catchUp(), s.paused(), s.description(), s.source(),
                        JobRows.offset(s.nextFireAt()))))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Put(read(row), row.getBoolean("created"));
                });
    }

    public Uni<Optional<Schedule>> get(String workspace, String name) {
        return pool.preparedQuery(Table.SCHEDULES.sql("get")).execute(Tuple.of(workspace, name)).map(ScheduleStore::first);
    }

    public Uni<List<Schedule>> list(String workspace) {
        return pool.preparedQuery(Table.SCHEDULES.sql("list")).execute(Tuple.of(workspace)).map(ScheduleStore::all);
    }

    public Uni<Long> count(String workspace) {
        return pool.preparedQuery(Table.SCHEDULES.sql("count_in_workspace")).execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().next().getLong("schedules"));
    }

    /** Whether it existed. The jobs it created are kept. */
    public Uni<Boolean> delete(String workspace, String name) {
        return pool.preparedQuery(Table.SCHEDULES.sql("delete")).execute(Tuple.of(workspace, name)).map(rows -> rows.size() > 0);
    }

    public Uni<Optional<Schedule>> setPaused(String workspace, String name, boolean paused) {
        return pool.preparedQuery(Table.SCHEDULES.sql("set_paused")).execute(Tuple.of(workspace, name, paused))
                .map(ScheduleStore::first);
    }

    public Uni<Map<String, LastRun>> lastRuns(String workspace, List<String> names) {
        return pool.preparedQuery(Table.SCHEDULES.sql("last_runs")).execute(Tuple.of(workspace, names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, LastRun> runs = new HashMap<>();
                    for (Row row : rows) {
                        runs.put(row.getString("schedule"), new LastRun(row.getUUID("id"),
                                JobRows.instant(row, "scheduled_for"), row.getString("status")));
                    }
                    return runs;
                });
    }

    private static Optional<Schedule> first(RowSet<Row> rows) {
        List<Schedule> all = all(rows);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static List<Schedule> all(RowSet<Row> rows) {
        List<Schedule> schedules = new ArrayList<>();
        for (Row row : rows) {
            schedules.add(read(row));
        }
        return schedules;
    }

    private static Schedule read(Row row) {
        return new Schedule(row.getString("workspace"), row.getString("name"), Arrays.asList(row.getArrayOfStrings("cron")),
                row.getString("time_zone"), row.getString("job"), row.getString("overlap"), row.getString("catch_up"),
                row.getBoolean("paused"), row.getString("description"), row.getString("source"),
                JobRows.instant(row, "next_fire_at"), JobRows.instant(row, "created_at"), JobRows.instant(row, "updated_at"));
    }
}
