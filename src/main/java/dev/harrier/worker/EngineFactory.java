package dev.harrier.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.events.EventAppender;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.instance.InstanceRows;
import dev.harrier.maintenance.Maintenance;
import dev.harrier.notify.Notifier;
import dev.harrier.queue.ChildJobs;
import dev.harrier.queue.ItemWriter;
import dev.harrier.queue.JobClaimer;
import dev.harrier.queue.Leases;
import dev.harrier.queue.OutcomeWriter;
import dev.harrier.queue.QueueHolds;
import dev.harrier.queue.QueueStore;
import dev.harrier.secret.SecretStore;
import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;

/** Builds engines from the application's beans; the service builds one, tests may build several. */
@ApplicationScoped
public class EngineFactory {

    private final Vertx vertx;
    private final Pool pool;
    private final InstanceRows instances;
    private final SecretStore secrets;
    private final JobClaimer claimer;
    private final QueueHolds holds;
    private final Leases leases;
    private final OutcomeWriter writer;
    private final QueueStore queues;
    private final EventAppender appender;
    private final ItemWriter items;
    private final ChildJobs children;
    private final HandlerRegistry handlers;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final Notifier notifier;
    private final Clock clock;
    private final Ticker ticker;

    public EngineFactory(Vertx vertx, Pool pool, JobClaimer claimer, QueueHolds holds, Leases leases, OutcomeWriter writer,
                         QueueStore queues, EventAppender appender, ItemWriter items, ChildJobs children,
                         HandlerRegistry handlers, ObjectMapper mapper,
                         MeterRegistry meters, Notifier notifier, Clock clock,
                         Ticker ticker, InstanceRows instances, SecretStore secrets) {
        this.instances = instances;
        this.secrets = secrets;
        this.clock = clock;
        this.ticker = ticker;
        this.vertx = vertx;
        this.pool = pool;
        this.claimer = claimer;
        this.holds = holds;
        this.leases = leases;
        this.writer = writer;
        this.queues = queues;
        this.appender = appender;
        this.items = items;
        this.children = children;
        this.handlers = handlers;
        this.mapper = mapper;
        this.meters = meters;
        this.notifier = notifier;
    }

    /** A new, not yet started engine. */
    public Engine create(EngineSettings settings) {
        Maintenance maintenance = settings.maintenance()
                ? new Maintenance(pool, settings.instanceId(), settings.maintenanceTimings(), clock, ticker, meters)
                : null;
        JobRunner runner = new JobRunner(handlers, mapper, appender, items, children, vertx, settings, clock, secrets);
        return new Engine(settings, vertx, instances, claimer, holds, leases, writer, queues, runner,
                notifier, maintenance, new EngineMetrics(meters), ticker);
    }
}
