package dev.harrier.testing;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;

/** Whether a statement's transaction waits for its WAL flush, seen from the session that runs it. */
public final class CommitModes {

    private CommitModes() {
    }

    /**
     * Runs {@code sql} in a transaction of its own on a session that waits for the flush (whatever
     * the server's default: the embedded test database's is off): the session's
     * {@code synchronous_commit} in that transaction after the statement, then after the commit.
     */
    public static List<String> duringAndAfter(Pool pool, String sql, Tuple params) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            connection.query("SET synchronous_commit = on").execute().await().indefinitely();
            Transaction tx = connection.begin().await().indefinitely();
            connection.preparedQuery(sql).execute(params).await().indefinitely();
            String during = show(connection);
            tx.commit().await().indefinitely();
            return List.of(during, show(connection));
        } finally {
            connection.query("RESET synchronous_commit").execute().await().indefinitely();
            connection.close().await().indefinitely();
        }
    }

    private static String show(SqlConnection connection) {
        return connection.query("SHOW synchronous_commit").execute()
                .map(rows -> rows.iterator().next().getString(0)).await().indefinitely();
    }
}
