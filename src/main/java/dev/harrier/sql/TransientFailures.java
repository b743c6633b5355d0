package dev.harrier.sql;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells the database failures that may pass by themselves (a dropped connection, a server that
 * restarts or is overloaded, a wait for a pool connection that ran out) from those that will fail
 * again for the same statement (a value the database cannot store, a broken query).
 */
public final class TransientFailures {

    // Connection exceptions, insufficient resources, operator intervention (shutdown, crash
    // recovery, "cannot connect now"), and the two that a retry of the transaction resolves.
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "57");
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03");

    private TransientFailures() {
    }

    /** Whether the pool's bounded wait for a connection ran out. */
    public static boolean isPoolWait(Throwable failure) {
        return (failure instanceof NoStackTraceThrowable && "Timeout".equals(failure.getMessage()))
                || (failure instanceof VertxException && "Timeout waiting for connection".equals(failure.getMessage()));
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && (TRANSIENT_STATES.contains(state)
                        || (state.length() == 5 && TRANSIENT_CLASSES.contains(state.substring(0, 2))));
            }
            if (t instanceof ClosedConnectionException || t instanceof IOException || t instanceof TimeoutException
                    || t instanceof ConnectTimeoutException) {
                return true;
            }
            if (isPoolWait(t)) {
                return true;
            }
            if (t instanceof VertxException vertx && vertx.getMessage() != null && vertx.getMessage().contains("closed")) {
                return true;
            }
        }
        return false;
    }
}
