package dev.harrier.ops;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
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
 * Ready only when the database answers and its schema is at the version this build migrates to.
 * The expected version is read from the migrations on the class path once, at start-up.
 */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements AsyncHealthCheck {

    static final String LATEST_APPLIED_MIGRATION = """
            SELECT version FROM harrier.flyway_schema_history
            WHERE success AND version IS NOT NULL
            ORDER BY installed_rank DESC LIMIT 1""";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Pool pool;
    private volatile String expectedVersion;

    public SchemaReadinessCheck(Pool pool) {
        this.pool = pool;
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
        return pool.query(LATEST_APPLIED_MIGRATION)
                .execute()
                .ifNoItem().after(TIMEOUT).fail()
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
