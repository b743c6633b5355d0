package dev.harrier.instance;

import dev.harrier.config.HarrierConfig;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Every instance's row in {@code harrier.instances}: written at start, renewed with the heartbeat
 * (with the number of jobs it runs), removed at a clean stop. Workers write it from their engine;
 * an API-only instance through {@link #keepRegistered}.
 */
@ApplicationScoped
public class InstanceRows {

    private static final Logger LOG = Logger.getLogger(InstanceRows.class);

    private final Pool pool;
    private final String version;
    private final String region;

    public InstanceRows(Pool pool, HarrierConfig config,
                        @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.pool = pool;
        this.version = version;
        this.region = config.region().orElse(null);
    }

    public Uni<Void> register(String id, boolean worker) {
        return pool.preparedQuery(Table.INSTANCES.sql("register"))
                .execute(Tuple.of(id, hostName(), version, region, worker))
                .replaceWithVoid();
    }

    public Uni<Void> heartbeat(String id, boolean worker, int running) {
        return pool.preparedQuery(Table.INSTANCES.sql("heartbeat"))
                .execute(Tuple.of(id, hostName(), version, region, worker, running))
                .replaceWithVoid();
    }

    public Uni<Void> remove(String id) {
        return pool.preparedQuery(Table.INSTANCES.sql("remove")).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Instances whose heartbeat is younger than {@code within}, oldest first. */
    public Uni<List<Instance>> live(Duration within) {
        return pool.preparedQuery(Table.INSTANCES.sql("list_live"))
                .execute(Tuple.of(within.toMillis() / 1000.0))
                .map(rows -> {
                    List<Instance> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(new Instance(row.getString("id"), row.getString("version"),
                                row.getString("region"),
                                row.getOffsetDateTime("started_at").toInstant(), row.getOffsetDateTime("heartbeat_at").toInstant(),
                                row.getBoolean("worker"), row.getBoolean("leader"), row.getInteger("running")));
                    }
                    return found;
                });
    }

    /**
     * Registers an instance that runs no jobs and renews its row every {@code interval}; the
     * returned action stops the renewal and removes the row.
     */
    public Runnable keepRegistered(String id, Duration interval, Vertx vertx) {
        register(id, false).subscribe().with(ok -> { }, failure -> LOG.warnf("instance %s not registered: %s", id, failure.getMessage()));
        long timer = vertx.setPeriodic(interval.toMillis(), tick -> heartbeat(id, false, 0).subscribe().with(ok -> { },
                failure -> LOG.debugf("instance %s heartbeat: %s", id, failure.getMessage())));
        return () -> {
            vertx.cancelTimer(timer);
            // Runs on the shutdown thread, never on an event loop.
            remove(id).await().atMost(Duration.ofSeconds(5));
        };
    }

    /** This machine's host name, as instances show it. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
