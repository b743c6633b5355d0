package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void idsAreVersion7WithTheirMillisecondAndOnlyGrow() {
        long before = System.currentTimeMillis();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(JobIds.next());
        }
        long after = System.currentTimeMillis();
        // Thousands of ids share a millisecond here: in the order they were made, as PostgreSQL
        // orders uuids (their bytes, which their text orders too).
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i).toString()).as("id %d after id %d", i, i - 1).isGreaterThan(ids.get(i - 1).toString());
        }
        for (UUID id : List.of(ids.get(0), ids.get(ids.size() - 1))) {
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            // Borrowed milliseconds (over 4,096 ids in one) stay within a few of the clock.
            assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after + 3);
        }
        // The low 62 bits are random: no two alike.
        assertThat(new HashSet<>(ids.stream().map(UUID::getLeastSignificantBits).toList())).hasSize(ids.size());
    }
}
