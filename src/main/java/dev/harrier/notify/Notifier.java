package dev.harrier.notify;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one LISTEN connection of an instance ({@code application_name} {@code harrier-notify} in
 * {@code pg_stat_activity}), on every {@link Channel}, whether this instance runs a worker or only
 * serves the API: the engine's producers, cancellations and the event streams all subscribe here.
 * After a reconnect the {@link #onReconnect} hooks run, since notifications sent meanwhile are
 * lost: the producers claim, the streams read the events table. Readiness asks its question on this
 * connection ({@link #query}), so an instance whose notifications stopped is not ready. A
 * notification that names this instance as its origin is dropped: this instance delivered it to
 * its subscribers before sending it ({@link #deliverHere}).
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    static final String NAME = "harrier-notify";

    // Names this instance in the notifications it sends after waking its own subscribers.
    private final String origin = UUID.randomUUID().toString();
    private final PgListener listener;
    private final Map<Channel, List<Consumer<String>>> subscribers = new EnumMap<>(Channel.class);
    private final List<Runnable> reconnectHooks = new CopyOnWriteArrayList<>();

    public Notifier(Vertx vertx, ListenerConnections connections) {
        this.listener = connections.listener(vertx, NAME);
        for (Channel channel : Channel.values()) {
            List<Consumer<String>> list = new CopyOnWriteArrayList<>();
            subscribers.put(channel, list);
            listener.on(channel.sqlName(), payload -> {
                String from = Payloads.origin(payload);
                if (origin.equals(from)) {
                    return; // this instance delivered it already (deliverHere)
                }
                String delivered = from == null ? payload : Payloads.withoutOrigin(payload);
                list.forEach(subscriber -> deliver(channel, subscriber, delivered));
            });
        }
        listener.onConnect(() -> reconnectHooks.forEach(Runnable::run));
    }

    void onStart(@Observes StartupEvent event) {
        listener.start().subscribe().with(ok -> { },
                failure -> LOG.warnf("notifications start without LISTEN (%s); reconnecting", failure.getMessage()));
    }

    /** Late among the shutdown observers: a draining engine still hears cancellations. */
    void onStop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        listener.stop().subscribe().with(ok -> { }, failure -> { });
    }

    /** Hands every notification of {@code channel} to {@code subscriber}; the handle unsubscribes. */
    public Runnable subscribe(Channel channel, Consumer<String> subscriber) {
        subscribers.get(channel).add(subscriber);
        return () -> subscribers.get(channel).remove(subscriber);
    }

    /**
     * Hands a notification this instance is about to send to its own subscribers now, without the
     * round trip through PostgreSQL: the notification must name {@link #origin()}, so that this
     * instance's listener drops it when it comes back.
     */
    public void deliverHere(Channel channel, String payload) {
        subscribers.get(channel).forEach(subscriber -> deliver(channel, subscriber, payload));
    }

    /** This instance's name in the notifications it delivers to itself first ({@link #deliverHere}). */
    public String origin() {
        return origin;
    }

    /** Runs after every (re)connect, when notifications may have been missed; the handle removes it. */
    public Runnable onReconnect(Runnable hook) {
        reconnectHooks.add(hook);
        return () -> reconnectHooks.remove(hook);
    }

    public boolean connected() {
        return listener.connected();
    }

    /** A query on the listening connection, failing after {@code timeout} (readiness: never a pool wait). */
    public Uni<RowSet<Row>> query(String sql, Duration timeout) {
        return listener.query(sql, timeout);
    }

    private static void deliver(Channel channel, Consumer<String> subscriber, String payload) {
        try {
            subscriber.accept(payload);
        } catch (RuntimeException e) {
            LOG.errorf(e, "a subscriber of %s failed", channel.sqlName());
        }
    }
}
