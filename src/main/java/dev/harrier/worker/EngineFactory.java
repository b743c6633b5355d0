package dev.harrier.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.events.EventAppender;
import dev.harrier.notify.ListenerConnections;
import dev.harrier.notify.Notifier;
import dev.harrier.queue.ItemWriter;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.Leases;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.queue.QueueStore;
import dev.harrier.maintenance.Maintenance;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;

/** Builds engines from the application's beans; the service builds one, tests may build several. */
@ApplicationScoped
public class EngineFactory {

    private final Vertx vertx;
    private final Pool pool;
    private final JobClaimer claimer;
    private final Leases leases;
    private final OutcomeWriter writer;
    private final QueueStore queues;
    private final EventAppender appender;
    private final ItemWriter items;
    private final HandlerRegistry handlers;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final ListenerConnections connections;
    private final Notifier notifier;

    public EngineFactory(Vertx vertx, Pool pool, JobClaimer claimer, Leases leases, OutcomeWriter writer,
                         QueueStore queues, EventAppender appender, ItemWriter items, HandlerRegistry handlers, ObjectMapper mapper,
                         MeterRegistry meters, ListenerConnections connections, Notifier notifier) {
        this.vertx = vertx;
        this.pool = pool;
        this.claimer = claimer;
        this.leases = leases;
        this.writer = writer;
        this.queues = queues;
        this.appender = appender;
        this.items = items;
        this.handlers = handlers;
        this.mapper = mapper;
        this.meters = meters;
        this.connections = connections;
        this.notifier = notifier;
    }

    /** A new, not yet started engine. */
    public Engine create(EngineSettings settings) {
        Maintenance maintenance = settings.maintenance()
                ? new Maintenance(pool, settings.instanceId(), settings.maintenanceTimings())
                : null;
        JobRunner runner = new JobRunner(handlers, mapper, appender, items, vertx, settings);
        return new Engine(settings, vertx, pool, claimer, leases, writer, queues, runner,
                notifier, maintenance, new EngineMetrics(meters));
    }

    /** Options for a dedicated connection (LISTEN), the same database as the pool's. */
    public PgConnectOptions connectOptions() {
        return connections.options();
    }
}
