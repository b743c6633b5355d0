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
    void eachRequestOnAFailingHostGetsItsOwnTurnOneDelayAfterTheLast() {
        HostHealth health = failing(3);
        long now = 1_000_000_000L;

        assertThat(health.reserve(now).atNanos() - now).isEqualTo(Duration.ofMillis(250).toNanos());
        assertThat(health.reserve(now).atNanos() - now).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(health.reserve(now).atNanos() - now).isEqualTo(Duration.ofMillis(750).toNanos());
    }

    @Test
    void oneSuccessEndsTheSlowDownAndReleasesTheWaiters() {
        HostHealth health = failing(5);
        HostHealth.Turn waiting = health.reserve(System.nanoTime());
        assertThat(health.recoveredSince(waiting)).isFalse();

        health.succeeded();

        assertThat(health.recoveredSince(waiting)).isTrue();
        assertThat(health.reserve(System.nanoTime())).as("a healthy host goes at once").isNull();
    }

    private static HostHealth failing(int times) {
        HostHealth health = new HostHealth();
        for (int i = 0; i < times; i++) {
            health.failed();
        }
        return health;
    }
}
