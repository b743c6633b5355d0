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
        assertGrowing(ids);
        for (UUID id : List.of(ids.get(0), ids.get(ids.size() - 1))) {
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            // Borrowed milliseconds (past a millisecond's counter) stay within a few of the clock.
            assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after + 5);
        }
        // The low 62 bits are random: no two alike.
        assertThat(new HashSet<>(ids.stream().map(UUID::getLeastSignificantBits).toList())).hasSize(ids.size());
    }

    @Test
    void aFullMillisecondBorrowsTheNextAndAClockThatStepsBackHoldsTheLast() {
        JobIds.Stamps stamps = new JobIds.Stamps();
        long millis = 1_780_000_000_000L;
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 4_097; i++) {
            ids.add(JobIds.id(stamps.next(millis)));
        }
        long first = ids.get(0).getMostSignificantBits();
        assertThat(first >>> 16).isEqualTo(millis);
        assertThat(first & 0xFFF).as("the counter starts below 2,048").isLessThan(2_048);
        assertThat(ids.get(ids.size() - 1).getMostSignificantBits() >>> 16).as("past the counter's end").isEqualTo(millis + 1);
        ids.add(JobIds.id(stamps.next(millis - 1_000)));
        ids.add(JobIds.id(stamps.next(millis + 5)));
        assertGrowing(ids);
        assertThat(ids.get(ids.size() - 1).getMostSignificantBits() >>> 16).isEqualTo(millis + 5);
    }

    private static void assertGrowing(List<UUID> ids) {
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i).toString()).as("id %d after id %d", i, i - 1).isGreaterThan(ids.get(i - 1).toString());
        }
    }
}
