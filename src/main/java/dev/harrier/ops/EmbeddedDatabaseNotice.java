package dev.harrier.ops;

import dev.harrier.boot.DatabaseBootstrap;
import dev.harrier.boot.EmbeddedDatabase;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Logs, once per start, that the embedded PostgreSQL is in use and what it is (not) for; and tells
 * the embedded database when the application is up and when it has stopped, so that the database
 * outlives the worker's drain.
 */
@ApplicationScoped
public class EmbeddedDatabaseNotice {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabaseNotice.class);

    void onStart(@Observes StartupEvent event,
                 @ConfigProperty(name = DatabaseBootstrap.EMBEDDED_ACTIVE, defaultValue = "false") boolean embedded,
                 @ConfigProperty(name = "quarkus.datasource.reactive.url") String url) {
        if (embedded) {
            EmbeddedDatabase.applicationStarted();
            LOG.warnf("Using the embedded PostgreSQL (%s, data in %s): for development and evaluation only."
                            + " Set HARRIER_DB_URL=postgresql://user:password@host:5432/database for production.",
                    url, System.getProperty(DatabaseBootstrap.EMBEDDED_DIR, System.getenv().getOrDefault("HARRIER_EMBEDDED_DB_DIR", ".harrier/pg")));
        }
    }

    /** Runs after every other shutdown observer (the worker's drain among them). */
    void onStop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event,
                @ConfigProperty(name = DatabaseBootstrap.EMBEDDED_ACTIVE, defaultValue = "false") boolean embedded) {
        if (embedded) {
            EmbeddedDatabase.applicationStopped();
        }
    }
}
