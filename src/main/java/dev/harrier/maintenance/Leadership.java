package dev.harrier.maintenance;

import dev.harrier.sql.Table;
import dev.harrier.time.Clocks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * <b>What it does.</b> Holds the {@code maintenance} row of {@code harrier.leaders} for this
 * instance: takes it when it is free or expired, renews it while it holds it, and gives it up on
 * stop ({@code sql/leaders.sql}). The row's expiry is written and judged by the database's clock,
 * so instances whose clocks differ still agree on when a leader that died is replaced; a test
 * that replaced the instance's clock has it used instead ({@code Clocks.forSql}), and moves it
 * past a leader's time instead of sleeping.
 *
 * <p><b>Options.</b> {@code harrier.maintenance.leader-ttl} (15 s): how long a leader that stopped
 * renewing (it died) holds the row; renewed every {@code promote-interval}.
 *
 * <p><b>Metrics.</b> {@code harrier_maintenance_leader{instance}}: 1 while this instance leads.
 */
final class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);
    static final String NAME = "maintenance";

    private final Pool pool;
    private final String instanceId;
    private final Duration ttl;
    private final Clock clock;
    private volatile boolean leader;

    Leadership(Pool pool, String instanceId, Duration ttl, Clock clock, MeterRegistry meters) {
        this.pool = pool;
        this.instanceId = instanceId;
        this.ttl = ttl;
        this.clock = clock;
        // A gauge of the same instance registered before (a maintenance restarted) would keep reading the old one.
        Gauge previous = meters.find("harrier.maintenance.leader").tag("instance", instanceId).gauge();
        if (previous != null) {
            meters.remove(previous);
        }
        Gauge.builder("harrier.maintenance.leader", this, l -> l.leader ? 1 : 0)
                .description("1 while this instance runs the maintenance tasks").tag("instance", instanceId).register(meters);
    }

    boolean leader() {
        return leader;
    }

    /** Takes or renews the row; emits whether this instance leads now. */
    Uni<Boolean> attempt() {
        return pool.preparedQuery(Table.LEADERS.sql("attempt"))
                .execute(Tuple.of(NAME, instanceId, ttl.toMillis() / 1000.0, Clocks.forSql(clock)))
                .map(rows -> rows.size() > 0)
                .invoke(leads -> {
                    if (leads != leader) {
                        LOG.infof("Instance %s %s the maintenance leader", instanceId, leads ? "is now" : "is no longer");
                    }
                    leader = leads;
                });
    }

    /** Gives the row up, so that another instance takes over without waiting for it to expire. */
    Uni<Void> resign() {
        leader = false;
        return pool.preparedQuery(Table.LEADERS.sql("resign")).execute(Tuple.of(NAME, instanceId)).replaceWithVoid();
    }
}
