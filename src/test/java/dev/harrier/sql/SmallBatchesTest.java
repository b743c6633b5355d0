package dev.harrier.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.config.HarrierConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Small batches run on sessions that keep one generic plan a statement, larger ones on the pool's,
 * planned with their arguments; with every connection of generic plans taken, a small batch runs
 * on the pool rather than waiting.
 */
@QuarkusTest
class SmallBatchesTest {

    @Inject
    SmallBatches smallBatches;

    @Inject
    HarrierConfig config;

    @Inject
    MeterRegistry meters;

    private static Uni<String> planMode(SqlClient client) {
        return client.query("SHOW plan_cache_mode").execute()
                .map(rows -> rows.iterator().next().getString(0));
    }

    @Test
    void aSmallBatchIsPlannedOnceAndALargeOneWithItsArguments() {
        assertThat(smallBatches.run(1, SmallBatchesTest::planMode).await().indefinitely())
                .isEqualTo("force_generic_plan");
        assertThat(smallBatches.run(SmallBatches.MAX_ROWS, SmallBatchesTest::planMode).await().indefinitely())
                .isEqualTo("force_generic_plan");
        assertThat(smallBatches.run(SmallBatches.MAX_ROWS + 1, SmallBatchesTest::planMode).await().indefinitely())
                .isEqualTo("force_custom_plan");        assertThat(smallBatches.planOnce(SmallBatchesTest::planMode).await().indefinitely())
                .as("a claim, whatever its size")
                .isEqualTo("force_generic_plan");
    }

    @Test
    void aSmallBatchRunsOnThePoolWhileEveryConnectionOfGenericPlansIsTaken() {
        int connections = config.db().smallBatchPoolSize();
        assertThat(connections).isPositive();
        CompletableFuture<Void> release = new CompletableFuture<>();
        List<CompletionStage<String>> holders = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            // Each is in flight there until released: a statement that waits for the test first.
            holders.add(smallBatches.run(1, client -> Uni.createFrom().completionStage(release)
                            .flatMap(ignored -> planMode(client)))
                    .subscribeAsCompletionStage());
        }
        try {
            assertThat(smallBatches.run(1, SmallBatchesTest::planMode).await().indefinitely())
                    .as("every connection of generic plans taken")
                    .isEqualTo("force_custom_plan");
        } finally {
            release.complete(null);
        }
        for (CompletionStage<String> holder : holders) {
            assertThat(holder.toCompletableFuture().join()).isEqualTo("force_generic_plan");
        }
        assertThat(smallBatches.run(1, SmallBatchesTest::planMode).await().indefinitely())
                .as("free again once they ended")
                .isEqualTo("force_generic_plan");
    }

    @Test
    void theConnectionsOfGenericPlansHaveGaugesOfTheirOwn() {
        smallBatches.run(1, SmallBatchesTest::planMode).await().indefinitely();
        // Under the pool's name, their gauges were dropped as registered twice (Micrometer warned).
        assertThat(meters.find("sql.pool.queue.size").tag("pool.name", "harrier-small-batch-pool").gauge())
                .as("the gauge of the connections of generic plans").isNotNull();
    }
}
