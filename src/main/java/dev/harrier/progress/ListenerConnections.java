package dev.harrier.progress;

import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Options for dedicated connections (LISTEN) to the same database as the pool. */
@ApplicationScoped
public class ListenerConnections {

    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;

    public ListenerConnections(@ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                               @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
                               @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.url = url;
        this.username = username;
        this.password = password;
    }

    public PgConnectOptions options() {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        return options;
    }
}
