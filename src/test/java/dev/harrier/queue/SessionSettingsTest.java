package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionSettingsTest {

    @Inject
    Pool pool;

    @Test
    void everyPooledSessionPlansEachExecutionWithItsArguments() {
        // The batch statements rely on it (see set_outcome_if_running_many in sql/jobs.sql). Held at
        // once, the connections are distinct sessions.
        List<SqlConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(pool.getConnection().await().indefinitely());
            }
            for (SqlConnection connection : held) {
                String mode = connection.query("SHOW plan_cache_mode").execute()
                        .map(rows -> rows.iterator().next().getString(0))
                        .await().indefinitely();
                assertThat(mode).isEqualTo("force_custom_plan");
            }
        } finally {
            held.forEach(connection -> connection.close().await().indefinitely());
        }
    }
}
