package dev.harrier.queue;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What finished in a workspace since a time: outcomes and timings by kind, and the slowest jobs.
 * The enrichment worker's operators ran three SQL queries for this (jobs by status, failed in the
 * last 24 hours, slow jobs); both statements read {@code jobs_stats_idx}.
 */
@ApplicationScoped
public class JobStats {

    /**
     * Seconds at the 50th and 95th percentile and the longest, to the microsecond (the timestamps'
     * resolution; the interpolated percentiles came out as 1.5086534999999999); null when no job had one.
     */
    public record Seconds(Double p50, Double p95, Double max) {
    }

    public record KindStats(String kind, long completed, long failed, long cancelled, long retried, Seconds runSeconds,
                            Seconds waitSeconds) {
    }

    private final Pool pool;

    public JobStats(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<KindStats>> byKind(String workspace, Instant since) {
        return pool.preparedQuery(Table.JOBS.sql("stats_by_kind"))
                .execute(Tuple.of(workspace, JobRows.offset(since)))
                .map(rows -> {
                    List<KindStats> stats = new ArrayList<>();
                    for (Row row : rows) {
                        stats.add(new KindStats(row.getString("kind"), row.getLong("completed"), row.getLong("failed"),
                                row.getLong("cancelled"), row.getLong("retried"),
                                seconds(row, "run"), seconds(row, "wait")));
                    }
                    return stats;
                });
    }

    /** The ten jobs whose last attempt ran longest, longest first. */
    public Uni<List<Job>> slowest(String workspace, Instant since) {
        return pool.preparedQuery(Table.JOBS.sql("stats_slowest"))
                .execute(Tuple.of(workspace, JobRows.offset(since)))
                .map(JobRows::toJobs);
    }

    private static Seconds seconds(Row row, String prefix) {
        Double[] percentiles = row.getArrayOfDoubles(prefix);
        boolean none = percentiles == null || percentiles.length < 2;
        return new Seconds(none ? null : micros(percentiles[0]), none ? null : micros(percentiles[1]),
                micros(number(row, prefix + "_max")));
    }

    private static Double number(Row row, String column) {
        Object value = row.getValue(column);
        return value == null ? null : ((Number) value).doubleValue();
    }

    private static Double micros(Double seconds) {
        return seconds == null ? null : Math.round(seconds * 1e6) / 1e6;
    }
}
