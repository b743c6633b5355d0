package dev.harrier.notify;

import dev.harrier.time.Backoff;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One dedicated connection that LISTENs on Harrier's channels and hands each notification to the
 * handlers of its channel. The connection is re-opened when it drops; since notifications sent
 * meanwhile are lost, the reconnect hooks run after each (re)connect so that callers can catch up
 * (the workers poll, the streams re-read the events table).
 *
 * <p>A connection can also die silently: a frozen backend, a NAT that forgot the flow, a server
 * gone without a FIN. Nothing then arrives, and nothing says so. So the connection makes a round
 * trip every check interval; one that gets no answer within the interval (5 s at least) counts as
 * dead: it is closed and reopened, and {@link #connected()} is false meanwhile (readiness reports it). TCP
 * keep-alive is on as well, for the operating system to find a dead peer of an idle connection.
 */
public final class PgListener {

    private static final Logger LOG = Logger.getLogger(PgListener.class);
    /** Between reconnects: 250 ms doubling up to 5 s, jittered, so that instances do not return in step. */
    private static final Backoff RECONNECT = Backoff.doubling(Duration.ofMillis(250), Duration.ofSeconds(5));

    static final String ROUND_TRIP = "SELECT 1";
    static final Duration MIN_ANSWER_WITHIN = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final Duration checkInterval;
    private final Map<String, List<Consumer<String>>> handlers = new ConcurrentHashMap<>();
    private final List<Runnable> connectHooks = new CopyOnWriteArrayList<>();
    private volatile PgConnection connection;
    private volatile boolean stopped;
    private volatile int failedConnects;
    private volatile long checkTimer = -1;
    private volatile boolean checking;

    /**
     * @param name shown as the connection's {@code application_name} in {@code pg_stat_activity}
     * @param checkInterval how often the connection makes a round trip to prove it is alive
     */
    public PgListener(Vertx vertx, PgConnectOptions options, String name, Duration checkInterval) {
        this.vertx = vertx;
        // Its own metrics name: under the pool's, Micrometer warned that the gauge was registered twice.
        this.options = new PgConnectOptions(options)
                .setTcpKeepAlive(true)
                .setMetricsName(name)
                .addProperty("application_name", name);
        this.checkInterval = checkInterval;
    }

    /** Registers a handler for a channel; call before {@link #start()}. */
    public PgListener on(String channel, Consumer<String> handler) {
        handlers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(handler);
        return this;
    }

    /** Runs after every successful (re)connect. */
    public PgListener onConnect(Runnable hook) {
        connectHooks.add(hook);
        return this;
    }

    public boolean connected() {
        return connection != null;
    }

    /** Connects and listens; emits when listening, or fails (and keeps retrying in the background). */
    public Uni<Void> start() {
        checkTimer = vertx.setPeriodic(checkInterval.toMillis(), id -> checkOnce());
        return connect()
                .onFailure().invoke(failure -> scheduleReconnect());
    }

    public Uni<Void> stop() {
        stopped = true;
        vertx.cancelTimer(checkTimer);
        PgConnection current = connection;
        connection = null;
        return current == null ? Uni.createFrom().voidItem() : current.close();
    }

    /**
     * Runs a query on the listening connection, failing after {@code timeout}: what readiness asks,
     * on the connection whose health it reports, never waiting for a pool connection.
     */
    public Uni<RowSet<Row>> query(String sql, Duration timeout) {
        PgConnection current = connection;
        if (current == null) {
            return Uni.createFrom().failure(new IllegalStateException("the notification connection is down"));
        }
        return current.query(sql).execute()
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException(
                        "no answer from PostgreSQL within " + timeout.toMillis() + " ms"));
    }

    /**
     * How long a round trip may take before the connection is taken for dead: the check interval,
     * but never less than {@link #MIN_ANSWER_WITHIN}, so that a busy machine (a drain, a thousand
     * streams) does not make a live connection look dead and drop its notifications.
     */
    private Duration answerWithin() {
        return checkInterval.compareTo(MIN_ANSWER_WITHIN) > 0 ? checkInterval : MIN_ANSWER_WITHIN;
    }

    /** One round trip; a connection that does not answer in time is closed and reopened. */
    void checkOnce() {
        PgConnection current = connection;
        if (current == null || checking) {
            return;
        }
        checking = true;
        current.query(ROUND_TRIP).execute()
                .ifNoItem().after(answerWithin()).fail()
                .subscribe().with(
                        ok -> checking = false,
                        failure -> {
                            checking = false;
                            if (connection == current) {
                                LOG.warnf("The notification connection to PostgreSQL did not answer within %d ms; reopening it",
                                        answerWithin().toMillis());
                                connection = null;
                                // Closing a connection to a frozen server may itself never finish: not waited for.
                                current.close().subscribe().with(x -> { }, x -> { });
                                scheduleReconnect();
                            }
                        });
    }

    private Uni<Void> connect() {
        // A server or proxy that accepts the connection and never answers the handshake would
        // otherwise hold the reconnect loop for ever.
        return PgConnection.connect(vertx, options)
                .ifNoItem().after(answerWithin()).failWith(() -> new TimeoutException(
                        "no answer to the connection's handshake within " + answerWithin().toMillis() + " ms"))
                .flatMap(conn -> listenAll(conn)
                        .ifNoItem().after(answerWithin()).fail()
                        .onFailure().call(failure -> conn.close().onFailure().recoverWithNull())
                        .replaceWith(conn))
                .invoke(conn -> {
                    if (stopped) {
                        conn.close().subscribe().with(x -> { }, x -> { });
                        return;
                    }
                    conn.notificationHandler(n -> dispatch(n.getChannel(), n.getPayload()));
                    conn.closeHandler(() -> onClosed(conn));
                    connection = conn;
                    failedConnects = 0;
                    connectHooks.forEach(Runnable::run);
                })
                .replaceWithVoid();
    }

    private Uni<Void> listenAll(PgConnection conn) {
        // Channel names are Harrier's own constants, never client input.
        String sql = handlers.keySet().stream().map(c -> "LISTEN " + c + ";").reduce("", String::concat);
        return sql.isEmpty() ? Uni.createFrom().voidItem() : conn.query(sql).execute().replaceWithVoid();
    }

    private void dispatch(String channel, String payload) {
        List<Consumer<String>> list = handlers.get(channel);
        if (list == null) {
            return;
        }
        for (Consumer<String> handler : list) {
            try {
                handler.accept(payload);
            } catch (RuntimeException e) {
                LOG.errorf(e, "handler of notification channel %s failed", channel);
            }
        }
    }

    private void onClosed(PgConnection conn) {
        if (connection != conn) {
            // Already given up on by the round-trip check, which scheduled the reconnect.
            return;
        }
        connection = null;
        if (!stopped) {
            LOG.warn("The notification connection to PostgreSQL closed; reconnecting");
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        Duration delay = RECONNECT.delayAfter(++failedConnects);
        vertx.setTimer(delay.toMillis(), id -> connect().subscribe().with(
                ok -> LOG.info("The notification connection to PostgreSQL is back"),
                failure -> {
                    LOG.debugf("reconnect failed: %s", failure.getMessage());
                    scheduleReconnect();
                }));
    }
}
