package dev.harrier.ops;

import dev.harrier.notify.Notifier;
import dev.harrier.sql.Table;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Ready only when the database answers and its schema is at the version this build migrates to,
 * asked on this instance's listening connection (the {@code Notifier}'s), within a second: it never
 * waits for a pool connection, so a stalled database or an exhausted pool cannot hold a probe,
 * and a listening connection that is down or silently dead (see {@code PgListener}) makes the
 * instance not ready. The expected version is read from the migrations on the class path once,
 * at start-up.
 */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements AsyncHealthCheck {

    static final Duration TIMEOUT = Duration.ofMillis(800);

    private final Notifier notifier;
    private volatile String expectedVersion;

    public SchemaReadinessCheck(Notifier notifier) {
        this.notifier = notifier;
    }

    void onStart(@Observes StartupEvent event, Flyway flyway) {
        expectedVersion = Arrays.stream(flyway.info().all())
                .map(MigrationInfo::getVersion)
                .filter(v -> v != null)
                .max(Comparator.naturalOrder())
                .map(MigrationVersion::getVersion)
                .orElse(null);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return notifier.query(Table.FLYWAY_SCHEMA_HISTORY.sql("latest_applied"), TIMEOUT)
                .map(this::toResponse)
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("schema")
                        .down()
                        .withData("error", String.valueOf(failure.getMessage()))
                        .build());
    }

    private HealthCheckResponse toResponse(RowSet<Row> rows) {
        String applied = rows.iterator().hasNext() ? rows.iterator().next().getString("version") : null;
        boolean current = expectedVersion != null && expectedVersion.equals(applied);
        return HealthCheckResponse.named("schema")
                .status(current)
                .withData("expected", String.valueOf(expectedVersion))
                .withData("applied", String.valueOf(applied))
                .build();
    }
}
