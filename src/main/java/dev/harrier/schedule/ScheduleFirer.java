package dev.harrier.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.JobRows;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.sql.Table;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fires due schedules. Every instance may call it at any time: a due schedule's row is locked for
 * the transaction that decides its fires (another instance skips it), its runs are enqueued in that
 * transaction, and its next fire time moves past them before the lock is released, so each fire is
 * decided once, whatever the number of instances and however their clocks drift (the decision's
 * clock is the database's). The unique index of fires on jobs would refuse a second job for a fire
 * in any case.
 *
 * <p>Of the fire times since the schedule's next one, those at most {@code grace} old are on time
 * and each gets its job; older ones were missed (no instance ran) and {@code catchUp} decides:
 * {@code latest} one job for the latest of them, {@code none} nothing, {@code all} one job each, the
 * latest {@value #CATCH_UP_MAX} at most. With {@code overlap} {@code skip}, a schedule whose last run
 * has not ended gets no job, and one that gets several at once keeps the latest only.
 */
@ApplicationScoped
public class ScheduleFirer {

    public static final int CATCH_UP_MAX = 100;
    static final int DUE_PER_ROUND = 100;

    private final Pool pool;
    private final JobSubmitter submitter;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;

    public ScheduleFirer(Pool pool, JobSubmitter submitter, ObjectMapper mapper, MeterRegistry meters) {
        this.pool = pool;
        this.submitter = submitter;
        this.mapper = mapper;
        this.meters = meters;
    }

    /** What one round decided. */
    public record Round(int schedules, int runs, int skipped) {
        Round plus(Round other) {
            return new Round(schedules + other.schedules, runs + other.runs, skipped + other.skipped);
        }
    }

    /** What was decided for one schedule: runs for fires on time, runs caught up, fires skipped (overlap) or dropped (missed). */
    private record Decision(String workspace, String name, int onTime, int caughtUp, int skipped, int dropped) {
    }

    private record Due(String workspace, String name, List<String> cron, String timeZone, String job, String overlap,
                       String catchUp, Instant nextFireAt, Instant now) {
    }

    /** Fires the due schedules (up to a hundred) at {@code now}, or at the database's clock when null. */
    public Uni<Round> fireDue(Instant now, Duration grace) {
        return pool.withTransaction(tx -> tx.preparedQuery(Table.SCHEDULES.sql("lock_due"))
                .execute(Tuple.of(JobRows.offset(now), DUE_PER_ROUND))
                .map(rows -> {
                    List<Due> due = new ArrayList<>();
                    for (Row row : rows) {
                        due.add(new Due(row.getString("workspace"), row.getString("name"),
                                Arrays.asList(row.getArrayOfStrings("cron")), row.getString("time_zone"),
                                row.getString("job"), row.getString("overlap"), row.getString("catch_up"),
                                JobRows.instant(row, "next_fire_at"), JobRows.instant(row, "now")));
                    }
                    return due;
                })
                .flatMap(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndConcatenate(schedule -> fire(tx, schedule, grace))
                        .collect().asList()))
                // Counted once committed: a round rolled back decided nothing.
                .invoke(decisions -> decisions.forEach(this::count))
                .map(decisions -> decisions.stream()
                        .map(d -> new Round(1, d.onTime() + d.caughtUp(), d.skipped()))
                        .reduce(new Round(0, 0, 0), Round::plus));
    }

    private void count(Decision d) {
        Tags tags = Tags.of("workspace", d.workspace(), "schedule", d.name());
        add("harrier.schedule.fires", "Runs created at their fire time (on time, within the misfire grace)", tags, d.onTime());
        add("harrier.schedule.catch_ups", "Runs created for fires missed while no instance ran (catchUp)", tags, d.caughtUp());
        add("harrier.schedule.skips", "Fires that created no run: the last run had not ended (overlap: skip)", tags, d.skipped());
        add("harrier.schedule.missed", "Fires missed while no instance ran that catchUp left without a run", tags, d.dropped());
    }

    private void add(String name, String description, Tags tags, int amount) {
        Counter counter = Counter.builder(name).description(description).tags(tags).register(meters);
        if (amount > 0) {
            counter.increment(amount);
        }
    }

    private Uni<Decision> fire(SqlClient tx, Due due, Duration grace) {
        FireTimes times = FireTimes.of(due.cron(), due.timeZone());
        List<Instant> all = fires(times, due);
        Instant onTimeFrom = due.now().minus(grace);
        List<Instant> chosen = chosen(all, onTimeFrom, due.catchUp());
        Uni<List<Instant>> runs = !"skip".equals(due.overlap()) || chosen.isEmpty()
                ? Uni.createFrom().item(chosen)
                : tx.preparedQuery(Table.SCHEDULES.sql("has_live_run")).execute(Tuple.of(due.workspace(), due.name()))
                        .map(rows -> rows.iterator().next().getBoolean("live")
                                ? List.<Instant>of() : List.of(chosen.get(chosen.size() - 1)));
        return runs.flatMap(fires -> (fires.isEmpty() ? Uni.createFrom().voidItem()
                        : submitter.submitRuns(tx, due.workspace(), JobTemplate.read(mapper, due.job()), due.name(), fires, false).replaceWithVoid())
                        .flatMap(x -> tx.preparedQuery(Table.SCHEDULES.sql("advance"))
                                .execute(Tuple.of(due.workspace(), due.name(),
                                        JobRows.offset(times.next(due.now()).orElse(null)))))
                        .map(x -> {
                            int onTime = (int) fires.stream().filter(t -> !t.isBefore(onTimeFrom)).count();
                            int caughtUp = fires.size() - onTime;
                            int skipped = chosen.size() - fires.size();
                            int dropped = all.size() - chosen.size();
                            return new Decision(due.workspace(), due.name(), onTime, caughtUp, skipped, dropped);
                        }));
    }

    /** Every fire due: the next one not decided, and those after it up to now. */
    private static List<Instant> fires(FireTimes times, Due due) {
        List<Instant> fires = new ArrayList<>();
        fires.add(due.nextFireAt());
        fires.addAll(times.between(due.nextFireAt(), due.now(), 10 * CATCH_UP_MAX));
        return fires;
    }

    /** The fires that get a job: every one on time, and the missed ones {@code catchUp} keeps. */
    private static List<Instant> chosen(List<Instant> fires, Instant onTimeFrom, String catchUp) {
        List<Instant> missed = fires.stream().filter(t -> t.isBefore(onTimeFrom)).toList();
        List<Instant> onTime = fires.stream().filter(t -> !t.isBefore(onTimeFrom)).toList();
        int keep = switch (catchUp) {
            case "none" -> 0;
            case "all" -> CATCH_UP_MAX;
            default -> 1;
        };
        List<Instant> chosen = new ArrayList<>(missed.subList(Math.max(0, missed.size() - keep), missed.size()));
        chosen.addAll(onTime);
        return chosen;
    }
}
