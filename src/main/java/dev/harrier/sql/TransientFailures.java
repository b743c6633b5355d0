package dev.harrier.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.CharacterCodingException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells the database failures that may pass by themselves (a dropped connection, a server that
 * restarts or is overloaded, a wait for a pool connection that ran out) from those that will fail
 * again for the same statement (a value the database cannot store, a broken query).
 */
public final class TransientFailures {

    // Connection exceptions, insufficient resources, operator intervention (shutdown, crash
    // recovery, "cannot connect now", a cancelled statement), and the two that a retry of the
    // transaction resolves; not a protocol violation (08P01: the same message fails again) nor a
    // dropped database (57P04).
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "57");
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03");
    private static final Set<String> LASTING_STATES = Set.of("08P01", "57P04");

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
                return state != null && !LASTING_STATES.contains(state) && (TRANSIENT_STATES.contains(state)
                        || (state.length() == 5 && TRANSIENT_CLASSES.contains(state.substring(0, 2))));
            }
            // An IOException from the socket (a reset connection) passes; one about the content does not.
            if (t instanceof JsonProcessingException || t instanceof CharacterCodingException) {
                return false;
            }
            if (t instanceof ClosedConnectionException || t instanceof IOException || t instanceof ConnectException
                    || t instanceof ConnectTimeoutException || t instanceof TimeoutException || isPoolWait(t)) {
                return true;
            }
            // What the client says of a connection that went away under a statement.
            if (t.getClass() == VertxException.class && t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains("closed")) {
                return true;
            }
        }
        return false;
    }
}
