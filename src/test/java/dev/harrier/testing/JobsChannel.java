package dev.harrier.testing;

import dev.harrier.notify.Channel;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** A connection of a test's own that hears what is sent on the jobs channel (the queues' wake-ups). */
public final class JobsChannel {

    private JobsChannel() {
    }

    /** A new connection that listens on the jobs channel; the test closes it. */
    public static Connection listen() throws SQLException {
        Connection connection = TestDatabase.connect();
        try (Statement s = connection.createStatement()) {
            s.execute("LISTEN " + Channel.JOBS.sqlName());
        }
        return connection;
    }

    /** The payloads {@code listening} has heard since it was last asked (waiting up to 200 ms). */
    public static List<String> heard(Connection listening) throws SQLException {
        PGNotification[] batch = listening.unwrap(PGConnection.class).getNotifications(200);
        return batch == null ? List.of() : Arrays.stream(batch).map(PGNotification::getParameter).toList();
    }
}
