package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionSettingsTest {

    @Inject
    Pool pool;

    @Test
    void everyConnectionPlansEachExecutionWithItsArguments() {
        // The batch statements rely on it (see JobSql.JOB_SET_OUTCOME_IF_RUNNING_MANY).
        for (int i = 0; i < 3; i++) {
            String mode = pool.query("SHOW plan_cache_mode").execute()
                    .map(rows -> rows.iterator().next().getString(0))
                    .await().indefinitely();
            assertThat(mode).isEqualTo("force_custom_plan");
        }
    }
}
