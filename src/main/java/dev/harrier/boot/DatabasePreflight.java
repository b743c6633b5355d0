package dev.harrier.boot;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Connects once before Quarkus starts, so that a wrong database URL ends start-up with one line that
 * names the problem instead of a page of stack traces from the pools and Flyway.
 *
 * <p>A refused or timed-out connection is retried until {@code wait} has passed (a database that
 * starts beside Harrier may need a few seconds); an unknown host or a rejected password is final.
 */
public final class DatabasePreflight {

    private static final long RETRY_PAUSE_MS = 500;

    private DatabasePreflight() {
    }

    public static void check(DatabaseUrl url, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                tryConnect(url);
                return;
            } catch (SQLException e) {
                Failure failure = classify(url, e);
                if (!failure.transientFailure() || System.nanoTime() > deadline) {
                    throw new StartupProblem(failure.message());
                }
                pause();
            }
        }
    }

    private static void tryConnect(DatabaseUrl url) throws SQLException {
        try (Connection connection = connect(url)) {
            connection.isValid(5);
        }
    }

    /** A JDBC connection to the database, with short timeouts (start-up's checks, before Quarkus). */
    static Connection connect(DatabaseUrl url) throws SQLException {
        Properties props = new Properties();
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("loginTimeout", "10");
        props.setProperty("ApplicationName", "harrier-preflight");
        return DriverManager.getConnection(url.jdbcUrl(), props);
    }

    record Failure(String message, boolean transientFailure) {
    }

    static Failure classify(DatabaseUrl url, SQLException e) {
        String where = url.describe();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Throwable cause = rootCause(e);
        if (state.startsWith("28")) {
            return new Failure("the database at " + where + " rejected the login (" + serverMessage(e)
                    + "); check the user and password in HARRIER_DB_URL", false);
        }
        if (state.equals("3D000")) {
            return new Failure("the database at " + where + " does not exist; create it or fix the name in HARRIER_DB_URL", false);
        }
        if (cause instanceof UnknownHostException) {
            return new Failure("unknown database host '" + url.host() + "'; check the host in HARRIER_DB_URL", false);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            return new Failure("cannot connect to the database at " + url.host() + ":" + url.port()
                    + " (connection refused); is PostgreSQL running there? check HARRIER_DB_URL", true);
        }
        if (cause instanceof SocketTimeoutException) {
            return new Failure("timed out connecting to the database at " + url.host() + ":" + url.port()
                    + "; check the host, port and firewall in HARRIER_DB_URL", true);
        }
        return new Failure("cannot use the database at " + where + ": " + serverMessage(e), false);
    }

    /** The server's own first line, e.g. {@code password authentication failed for user "x"}. */
    private static String serverMessage(SQLException e) {
        String message = e.getMessage() == null ? e.getSQLState() : e.getMessage();
        return message.lines().findFirst().orElse(message).replaceFirst("^FATAL: ", "");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupProblem("interrupted while waiting for the database");
        }
    }
}
