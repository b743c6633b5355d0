package dev.harrier.testing;

import dev.harrier.boot.DatabaseUrl;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The PostgreSQL every test runs on: the one named by {@code HARRIER_TEST_DB_URL}, its {@code harrier}
 * schema dropped once per test run so that Flyway migrates it afresh, or else an embedded PostgreSQL
 * in a fresh temporary directory, started once per JVM.
 */
public final class TestDatabase implements QuarkusTestResourceLifecycleManager {

    private static DatabaseUrl url;

    /** The database of this test run, started or reset on first use. */
    public static synchronized DatabaseUrl url() {
        if (url == null) {
            String configured = System.getenv("HARRIER_TEST_DB_URL");
            url = configured == null || configured.isBlank() ? startEmbedded() : reset(DatabaseUrl.parse(configured, "HARRIER_TEST_DB_URL"));
        }
        return url;
    }

    /** A plain JDBC connection, for tests that arrange or inspect rows directly. */
    public static Connection connect() throws SQLException {
        DatabaseUrl db = url();
        Properties props = new Properties();
        if (db.user() != null) {
            props.setProperty("user", db.user());
        }
        if (db.password() != null) {
            props.setProperty("password", db.password());
        }
        return DriverManager.getConnection(db.jdbcUrl(), props);
    }

    /** The test database as a packaged instance takes it in HARRIER_DB_URL. */
    public static String serviceUrl() {
        DatabaseUrl db = url();
        return "postgresql://" + (db.user() == null ? "" : db.user() + "@") + db.host() + ":" + db.port() + "/" + db.database();
    }

    /** Empties Harrier's tables once a packaged instance migrated them (a fresh database has no schema yet). */
    public static void cleanIfMigrated() {
        if (queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'harrier'") > 0) {
            clean();
        }
    }

    /** Empties Harrier's tables between tests. */
    public static void clean() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE harrier.jobs, harrier.job_events, harrier.job_items, harrier.queues, "
                    + "harrier.instances, harrier.leaders, harrier.schedules, harrier.kinds, harrier.job_followups, harrier.datasets, harrier.records, harrier.sync_staging, harrier.limits, harrier.limit_holds, harrier.queue_holds, harrier.workspace_secrets CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row of a query, as a long. */
    public static long queryLong(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a statement that returns no rows. */
    public static void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row of a query, as text. */
    public static String queryText(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        DatabaseUrl db = url();
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.reactive.url", db.reactiveUrl(),
                "quarkus.datasource.jdbc.url", db.jdbcUrl()));
        if (db.user() != null) {
            config.put("quarkus.datasource.username", db.user());
        }
        if (db.password() != null) {
            config.put("quarkus.datasource.password", db.password());
        }
        return config;
    }

    @Override
    public void stop() {
        // The database lives as long as the JVM: Quarkus restarts between test classes reuse it.
    }

    private static DatabaseUrl startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(Files.createTempDirectory("harrier-test-pg"))
                    .setCleanDataDirectory(true)
                    .start();
            return new DatabaseUrl("localhost", postgres.getPort(), "postgres", "postgres", null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DatabaseUrl reset(DatabaseUrl db) {
        url = db;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS harrier CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the test database " + db.describe(), e);
        }
        return db;
    }
}
