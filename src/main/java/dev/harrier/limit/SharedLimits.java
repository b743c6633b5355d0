package dev.harrier.limit;

import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.JobFailure;
import dev.harrier.sql.Table;
import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The shared limits as the jobs of this instance use them: {@link #run} holds a request back until
 * the named limit lets it go, across every job and every instance ({@link SharedLimit} says how).
 * Definitions are read at most every {@value #DEFINITION_TTL_SECONDS} s, so a changed limit applies
 * within that; metrics per limit: requests granted, waiting, and the time they waited.
 */
@ApplicationScoped
public class SharedLimits {

    private static final Logger LOG = Logger.getLogger(SharedLimits.class);
    static final int DEFINITION_TTL_SECONDS = 5;
    /** The error type of an attempt whose limit does not exist. */
    public static final String UNAVAILABLE = "limit_unavailable";

    private record Key(String workspace, String name) {
    }

    private record Definition(Optional<Limit> limit, long readAt) {
    }

    private final Pool pool;
    private final LimitStore store;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Ticker ticker = Ticker.SYSTEM;
    private final Duration lease;
    private final String instance;
    private final Map<Key, SharedLimit> limits = new ConcurrentHashMap<>();
    private final Map<Key, Definition> definitions = new ConcurrentHashMap<>();
    private final AtomicBoolean renewing = new AtomicBoolean();

    public SharedLimits(Pool pool, LimitStore store, Vertx vertx, MeterRegistry registry, HarrierConfig config) {
        this.pool = pool;
        this.store = store;
        this.vertx = vertx;
        this.registry = registry;
        this.lease = config.sharedLimits().lease();
        this.instance = config.worker().instanceId().orElseGet(SharedLimits::processId) + "/" + ProcessHandle.current().pid();
    }

    private static String processId() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "harrier";
        }
    }

    /** Runs {@code request} once {@code limit} (when not null) lets it go; its permit is given back however it ends. */
    public <T> Uni<T> run(String workspace, String limit, Supplier<Uni<T>> request) {
        if (limit == null) {
            return Uni.createFrom().deferred(request::get);
        }
        Key key = new Key(workspace, limit);
        return Uni.createFrom().deferred(() -> {
            long started = ticker.nanoTime();
            AtomicBoolean released = new AtomicBoolean();
            SharedLimit.Grant[] grant = new SharedLimit.Grant[1];
            return definition(key)
                    .flatMap(found -> limitOf(key).acquire(found))
                    .invoke(granted -> {
                        grant[0] = granted;
                        granted(key, ticker.nanoTime() - started);
                    })
                    .flatMap(granted -> request.get())
                    .onTermination().invoke(() -> {
                        if (grant[0] != null && !released.getAndSet(true)) {
                            grant[0].release();
                        }
                    })
                    .onFailure(SharedLimit.Gone.class)
                    .transform(gone -> JobFailure.permanent(gone.getMessage(), gone).ofType(UNAVAILABLE));
        });
    }

    /** Fails for good when the limit does not exist: checked before a job's first request. */
    public Uni<Limit> require(String workspace, String limit) {
        return definition(new Key(workspace, limit))
                .onFailure(SharedLimit.Gone.class)
                .transform(gone -> JobFailure.permanent(gone.getMessage(), gone).ofType(UNAVAILABLE));
    }

    private Uni<Limit> definition(Key key) {
        Definition cached = definitions.get(key);
        if (cached != null && ticker.nanoTime() - cached.readAt() < Duration.ofSeconds(DEFINITION_TTL_SECONDS).toNanos()) {
            return found(key, cached.limit());
        }
        // Only limits that exist are kept: a name that does not is asked again (a job checks it once).
        return store.get(key.workspace(), key.name())
                .invoke(limit -> {
                    if (limit.isPresent()) {
                        definitions.put(key, new Definition(limit, ticker.nanoTime()));
                    } else {
                        definitions.remove(key);
                    }
                })
                .flatMap(limit -> found(key, limit));
    }

    private static Uni<Limit> found(Key key, Optional<Limit> limit) {
        return limit.map(l -> Uni.createFrom().item(l))
                .orElseGet(() -> Uni.createFrom().failure(new SharedLimit.Gone("no limit named " + key.name()
                        + " in this workspace (PUT /api/v1/limits/" + key.name() + " creates it)")));
    }

    private SharedLimit limitOf(Key key) {
        startRenewing();
        return limits.computeIfAbsent(key, k -> {
            SharedLimit limit = new SharedLimit(k.name(), backend(k), ticker, lease,
                    (nanos, task) -> vertx.setTimer(Math.max(1, nanos / 1_000_000), id -> task.run()));
            Gauge.builder("harrier.limit.waiting", limit, SharedLimit::waiting)
                    .description("Requests of this instance waiting for a shared limit")
                    .tags("workspace", k.workspace(), "limit", k.name())
                    .register(registry);
            return limit;
        });
    }

    /** Jobs a remote worker's claim took under a limit, counted as granted. */
    public void claimed(String workspace, String limit, int jobs) {
        granted(new Key(workspace, limit)).increment(jobs);
    }

    private Counter granted(Key key) {
        return Counter.builder("harrier.limit.granted").description("Requests (and remote claims' jobs) a shared limit let go on this instance")
                .tags("workspace", key.workspace(), "limit", key.name()).register(registry);
    }

    private void granted(Key key, long waitedNanos) {
        granted(key).increment();
        Timer.builder("harrier.limit.wait").description("How long requests waited for a shared limit")
                .tags("workspace", key.workspace(), "limit", key.name()).register(registry)
                .record(Duration.ofNanos(waitedNanos));
    }

    /**
     * Leases are renewed three times a lease period. A limit's state stays once used (a few numbers
     * and its gauge; a workspace has at most HARRIER_LIMITS_SHARED_LIMITS of them).
     */
    private void startRenewing() {
        if (renewing.compareAndSet(false, true)) {
            vertx.setPeriodic(Math.max(1, lease.toMillis() / 3), id -> limits.values().forEach(SharedLimit::renew));
        }
    }

    private SharedLimit.Backend backend(Key key) {
        return new SharedLimit.Backend() {
            @Override
            public Uni<SharedLimit.Slots> takeSlots(int wanted, Duration horizon) {
                return pool.preparedQuery(Table.LIMITS.sql("take_slots"))
                        .execute(Tuple.of(key.workspace(), key.name(), wanted, horizon.toMillis() / 1000.0))
                        .map(rows -> {
                            if (rows.size() == 0) {
                                return new SharedLimit.Slots(false, false, 0, 0, 0);
                            }
                            Row row = rows.iterator().next();
                            return new SharedLimit.Slots(true, row.getInteger("requests") != null, row.getInteger("granted"),
                                    row.getDouble("spacing") == null ? 0 : row.getDouble("spacing"),
                                    row.getNumeric("first_in").doubleValue());
                        })
                        .onFailure().invoke(failure -> LOG.warnf("could not reserve slots of the limit %s (retrying): %s",
                                key.name(), failure.getMessage()));
            }

            @Override
            public Uni<SharedLimit.Hold> hold(int need, int inUse, Duration leaseFor) {
                return pool.withTransaction(tx -> tx.preparedQuery(Table.LIMITS.sql("lock"))
                                .execute(Tuple.of(key.workspace(), new String[] {key.name()}))
                                .flatMap(locked -> tx.preparedQuery(Table.LIMIT_HOLDS.sql("hold"))
                                        .execute(Tuple.of(key.workspace(), key.name(), instance, need, inUse, leaseFor.toMillis() / 1000.0))))
                        .map(rows -> {
                            Row row = rows.iterator().next();
                            return new SharedLimit.Hold(row.getBoolean("found"), row.getInteger("granted"), row.getInteger("share"));
                        })
                        .onFailure().invoke(failure -> LOG.warnf("could not renew the permits of the limit %s (retrying): %s",
                                key.name(), failure.getMessage()));
            }
        };
    }

    /** Every permit this instance holds goes back as it stops, so that the others need not wait for its lease. */
    void onStop(@Observes ShutdownEvent event) {
        if (limits.isEmpty()) {
            return;
        }
        try {
            pool.preparedQuery(Table.LIMIT_HOLDS.sql("release_instance")).execute(Tuple.of(instance))
                    .await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("could not hand back the shared limits' permits of %s (they lapse with their lease): %s", instance, e.getMessage());
        }
    }
}
