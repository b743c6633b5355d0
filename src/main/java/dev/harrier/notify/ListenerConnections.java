package dev.harrier.notify;

import dev.harrier.config.HarrierConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Options for dedicated connections (LISTEN) to the same database as the pool. */
@ApplicationScoped
public class ListenerConnections {

    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private final Duration checkInterval;

    public ListenerConnections(@ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                               @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
                               @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
                               HarrierConfig config) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.checkInterval = config.db().listenCheckInterval();
    }

    /** A new listener on a dedicated connection, shown as {@code name} in {@code pg_stat_activity}. */
    public PgListener listener(Vertx vertx, String name) {
        return new PgListener(vertx, options(), name, checkInterval);
    }

    public PgConnectOptions options() {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        return options;
    }
}
