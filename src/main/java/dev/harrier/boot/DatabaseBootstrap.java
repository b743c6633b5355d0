package dev.harrier.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Decides, before Quarkus starts, which PostgreSQL Harrier uses, and writes the standard Quarkus
 * datasource properties for it:
 * <ol>
 *   <li>{@code HARRIER_DB_URL} (or {@code -Dharrier.db.url}): checked with one connection first;</li>
 *   <li>else the standard {@code QUARKUS_DATASOURCE_*} properties, used as they are;</li>
 *   <li>else the embedded PostgreSQL, in {@code HARRIER_EMBEDDED_DB_DIR} (default {@code ./.harrier/pg}).</li>
 * </ol>
 */
public final class DatabaseBootstrap {

    public static final String EMBEDDED_ACTIVE = "harrier.embedded-db.active";
    public static final String EMBEDDED_DIR = "harrier.embedded-db.dir";
    static final String DEFAULT_EMBEDDED_DIR = ".harrier/pg";

    private DatabaseBootstrap() {
    }

    /**
     * Resolves the database from the environment and system properties and configures Quarkus for
     * it; returns it, or null when Quarkus's own datasource settings name it.
     */
    public static DatabaseUrl configure(Map<String, String> env, Properties system, boolean embeddedAvailable) {
        String harrierUrl = setting(env, system, "HARRIER_DB_URL", "harrier.db.url");
        if (harrierUrl != null) {
            DatabaseUrl url = DatabaseUrl.parse(harrierUrl, "HARRIER_DB_URL");
            String waitSeconds = setting(env, system, "HARRIER_DB_CONNECT_WAIT_SECONDS", "harrier.db.connect-wait-seconds");
            DatabasePreflight.check(url, Duration.ofSeconds(parseSeconds(waitSeconds)));
            apply(url, system);
            return url;
        }
        if (setting(env, system, "QUARKUS_DATASOURCE_REACTIVE_URL", "quarkus.datasource.reactive.url") != null) {
            return null;
        }
        if (!embeddedAvailable) {
            throw new StartupProblem("no database configured: set HARRIER_DB_URL=postgresql://user:password@host:5432/database"
                    + " (this build has no embedded PostgreSQL)");
        }
        String dir = setting(env, system, "HARRIER_EMBEDDED_DB_DIR", EMBEDDED_DIR);
        DatabaseUrl url = EmbeddedDatabase.start(Path.of(dir == null ? DEFAULT_EMBEDDED_DIR : dir));
        apply(url, system);
        system.setProperty(EMBEDDED_ACTIVE, "true");
        return url;
    }

    /** Writes the Quarkus datasource properties (system properties outrank application.properties). */
    static void apply(DatabaseUrl url, Properties system) {
        system.setProperty("quarkus.datasource.reactive.url", url.reactiveUrl());
        system.setProperty("quarkus.datasource.jdbc.url", url.jdbcUrl());
        if (url.user() != null) {
            system.setProperty("quarkus.datasource.username", url.user());
        }
        if (url.password() != null) {
            system.setProperty("quarkus.datasource.password", url.password());
        }
    }

    static String setting(Map<String, String> env, Properties system, String envName, String property) {
        String value = system.getProperty(property);
        if (value == null || value.isBlank()) {
            value = env.get(envName);
        }
        return value == null || value.isBlank() ? null : value;
    }

    private static long parseSeconds(String value) {
        if (value == null) {
            return 10;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new StartupProblem("HARRIER_DB_CONNECT_WAIT_SECONDS must be a whole number of seconds, not '" + value + "'");
        }
    }
}
