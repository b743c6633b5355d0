package dev.harrier.runonce;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.instance.InstanceRows;
import dev.harrier.maintenance.Maintenance;
import dev.harrier.schedule.ScheduleFirer;
import dev.harrier.sql.Table;
import dev.harrier.worker.Engine;
import dev.harrier.worker.EngineFactory;
import dev.harrier.worker.EngineSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.QuarkusApplication;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * {@code run-once}: Harrier as a command that drains and exits, for platforms that run a command
 * on a schedule. Without a leader or any running service, it promotes due jobs, rescues expired
 * leases and fires due schedules itself, runs the due jobs of its queues with an engine of its own
 * until none is left (or {@code --max-seconds} passes), hands back what it did not finish (the
 * attempt not burned) and prints one JSON object on standard output. Exit status 0 when it ran, 3
 * when SIGTERM (or Ctrl+C) interrupted it; {@code boot.Main} answers 2 when it could not start.
 */
@Singleton
public class RunOnce implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(RunOnce.class);
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration SWEEP_EVERY = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EngineFactory factory;
    private final HarrierConfig config;
    private final Pool pool;
    private final ScheduleFirer firer;
    private final HandlerRegistry handlers;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final Clock clock;
    private final AtomicBoolean interrupted = new AtomicBoolean();

    public RunOnce(EngineFactory factory, HarrierConfig config, Pool pool, ScheduleFirer firer, HandlerRegistry handlers,
                   ObjectMapper mapper, MeterRegistry meters, Clock clock) {
        this.factory = factory;
        this.config = config;
        this.pool = pool;
        this.firer = firer;
        this.handlers = handlers;
        this.mapper = mapper;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public int run(String... args) throws Exception {
        RunOnceArgs parsed = RunOnceArgs.parse(args);
        long started = System.nanoTime();
        // SIGTERM and Ctrl+C hand back and print instead of ending the JVM mid-attempt.
        Signal.handle(new Signal("TERM"), signal -> interrupted.set(true));
        Signal.handle(new Signal("INT"), signal -> interrupted.set(true));
        Instant deadline = parsed.maxSeconds() == null ? null : clock.instant().plusSeconds(parsed.maxSeconds());
        RunOnceTally tally = new RunOnceTally();
        sweep();
        Engine engine = factory.create(EngineSettings.from(config).toBuilder()
                .instanceId("run-once-" + InstanceRows.hostName() + "-" + ProcessHandle.current().pid())
                .maintenance(false)
                // What runs at the deadline or a SIGTERM is handed back at once, not awaited.
                .shutdownGrace(Duration.ofMillis(1))
                .build());
        engine.runOnly(Set.copyOf(parsed.queues()), deadline, (job, status) -> tally.count(job.kind(), status));
        engine.start().await().atMost(WAIT);
        LOG.infof("run-once: running the due jobs of %s", parsed.queues().isEmpty() ? "every queue" : String.join(", ", parsed.queues()));
        long lastSweep = System.nanoTime();
        while (!interrupted.get() && !engine.outOfTime() && (deadline == null || clock.instant().isBefore(deadline))) {
            Thread.sleep(TICK.toMillis());
            if (System.nanoTime() - lastSweep >= SWEEP_EVERY.toNanos()) {
                sweep();
                // Queues created meanwhile get a producer; promoted jobs are claimed without waiting for the poll.
                engine.refreshQueues().await().atMost(WAIT);
                engine.wakeAll();
                lastSweep = System.nanoTime();
            }
            // Idle twice around the question: a claim started between the two looks is seen.
            if (engine.idle() && !anyDue(parsed) && engine.idle()) {
                break;
            }
        }
        engine.stop().await().atMost(config.worker().shutdownGrace().plus(WAIT));
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        System.out.println(tally.json(mapper, durationMs, interrupted.get()));
        System.out.flush();
        return interrupted.get() ? 3 : 0;
    }

    /** Due jobs become pending, expired leases are rescued, due schedules fire: what a leader would do. */
    private void sweep() {
        Maintenance.sweepOnce(pool, clock, meters).await().atMost(WAIT);
        firer.fireDue(null, config.schedule().misfireGrace()).await().atMost(WAIT);
    }

    private boolean anyDue(RunOnceArgs args) {
        String[] queues = args.queues().isEmpty() ? null : args.queues().toArray(String[]::new);
        return pool.preparedQuery(Table.JOBS.sql("any_due"))
                .execute(Tuple.of(queues, handlers.kinds().toArray(String[]::new)))
                .map(rows -> rows.iterator().next().getBoolean("due"))
                .await().atMost(WAIT);
    }
}
