package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SupplySizeTest {

    private static void returned(SupplySize size, int handlers) {
        for (int i = 0; i < handlers; i++) {
            size.handlerReturned();
        }
    }

    @Test
    void theSupplyIsTheJobsFinishedDuringTwoClaimRoundTrips() {
        SupplySize size = new SupplySize(1000);
        assertThat(size.target()).as("nothing measured yet").isZero();

        size.claimSent(0);
        size.claimAnswered(500_000);
        returned(size, 100);
        size.claimSent(1_000_000);

        // 100 jobs a millisecond, a round trip of half a millisecond: 50, doubled.
        assertThat(size.target()).isEqualTo(100);
    }

    @Test
    void longJobsMakeNoSupplyAndShortOnesNoMoreThanOneClaimBatch() {
        SupplySize slow = new SupplySize(1000);
        slow.claimSent(0);
        slow.claimAnswered(2_000_000);
        returned(slow, 1);
        slow.claimSent(1_000_000_000L);
        assertThat(slow.target()).as("a job a second, a round trip of 2 ms: 0.004 jobs ahead").isZero();

        SupplySize fast = new SupplySize(1000);
        fast.claimSent(0);
        fast.claimAnswered(10_000_000);
        returned(fast, 100_000);
        fast.claimSent(1_000_000_000L);
        assertThat(fast.target()).isEqualTo(1000);
    }
}
