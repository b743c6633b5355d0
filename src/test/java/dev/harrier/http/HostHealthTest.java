package dev.harrier.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostHealthTest {

    @Test
    void aHostIsNotSlowedBeforeItsThirdFailureInARow() {
        assertThat(HostHealth.delayAfter(0)).isZero();
        assertThat(HostHealth.delayAfter(2)).isZero();
        assertThat(HostHealth.delayAfter(3)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theDelayDoublesPerFailureUpToTenSeconds() {
        assertThat(HostHealth.delayAfter(4)).isEqualTo(Duration.ofMillis(500));
        assertThat(HostHealth.delayAfter(8)).isEqualTo(Duration.ofSeconds(8));
        assertThat(HostHealth.delayAfter(9)).isEqualTo(Duration.ofSeconds(10));
        assertThat(HostHealth.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void onAFailingHostRequestsStartOneDelayApart() {
        HostHealth health = failing(3);
        long now = 1_000_000_000_000L;

        assertThat(health.claim(now)).as("the first request after the last start long ago").isZero();
        assertThat(health.claim(now)).isEqualTo(Duration.ofMillis(250).toNanos());
        assertThat(health.claim(now + Duration.ofMillis(100).toNanos())).isEqualTo(Duration.ofMillis(150).toNanos());
        assertThat(health.claim(now + Duration.ofMillis(250).toNanos())).as("its turn has come").isZero();
        assertThat(health.claim(now + Duration.ofMillis(260).toNanos())).isEqualTo(Duration.ofMillis(240).toNanos());
    }

    @Test
    void aWaiterThatGivesUpHoldsNothingBack() {
        HostHealth health = failing(3);
        long now = 1_000_000_000_000L;
        health.claim(now);
        // Many waiters ask and give up: nothing is booked for them.
        for (int i = 0; i < 100; i++) {
            health.claim(now + i);
        }

        assertThat(health.claim(now + Duration.ofMillis(250).toNanos())).isZero();
    }

    @Test
    void oneSuccessEndsTheSlowDown() {
        HostHealth health = failing(5);
        long now = 1_000_000_000_000L;
        health.claim(now);
        assertThat(health.claim(now)).isEqualTo(Duration.ofSeconds(1).toNanos());

        health.succeeded();

        assertThat(health.claim(now)).as("a healthy host goes at once").isZero();
        assertThat(health.claim(now)).isZero();
    }

    private static HostHealth failing(int times) {
        HostHealth health = new HostHealth();
        for (int i = 0; i < times; i++) {
            health.failed();
        }
        return health;
    }
}
