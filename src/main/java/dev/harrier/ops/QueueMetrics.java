package dev.harrier.ops;

import dev.harrier.sql.Table;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue depth per queue and status ({@code harrier_queue_jobs}) and the age of the oldest pending
 * job ({@code harrier_queue_oldest_pending_age_seconds}), refreshed by one query every 15 seconds
 * from the small partial indexes (terminal jobs are counted by {@code harrier_jobs_finished_total}).
 */
@ApplicationScoped
public class QueueMetrics {


    private static final Set<String> STATUSES = Set.of("scheduled", "pending", "running", "retrying", "waiting");

    private final Pool pool;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> depth = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> oldest = new ConcurrentHashMap<>();

    public QueueMetrics(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.registry = registry;
    }

    @Scheduled(every = "${harrier.metrics.refresh:15s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return refreshOnce()
                .onFailure().recoverWithNull();
    }

    /** Reads the depths now; queues that emptied drop to zero. */
    public Uni<Void> refreshOnce() {
        return pool.query(Table.JOBS.sql("count_live_by_queue")).execute().invoke(rows -> {
            Map<String, Long> seen = new HashMap<>();
            Map<String, Long> ages = new HashMap<>();
            for (Row row : rows) {
                String workspace = row.getString("workspace");
                String queue = row.getString("queue");
                seen.put(workspace + "\u0000" + queue + "\u0000" + row.getString("status"), row.getLong("jobs"));
                if (row.getString("status").equals("pending")) {
                    ages.put(workspace + "\u0000" + queue, Math.round(row.getDouble("oldest_pending")));
                }
                for (String status : STATUSES) {
                    gauge(workspace, queue, status);
                }
                ageGauge(workspace, queue);
            }
            depth.forEach((key, value) -> value.set(seen.getOrDefault(key, 0L)));
            oldest.forEach((key, value) -> value.set(ages.getOrDefault(key, 0L)));
        }).replaceWithVoid();
    }

    private void gauge(String workspace, String queue, String status) {
        depth.computeIfAbsent(workspace + "\u0000" + queue + "\u0000" + status, key -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("harrier.queue.jobs", value, AtomicLong::get)
                    .description("Jobs waiting or running, by queue and status")
                    .tag("workspace", workspace).tag("queue", queue).tag("status", status)
                    .register(registry);
            return value;
        });
    }

    private void ageGauge(String workspace, String queue) {
        oldest.computeIfAbsent(workspace + "\u0000" + queue, key -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("harrier.queue.oldest.pending.age", value, AtomicLong::get)
                    .description("Seconds since the oldest pending job of the queue could have started")
                    .baseUnit("seconds")
                    .tag("workspace", workspace).tag("queue", queue)
                    .register(registry);
            return value;
        });
    }
}
