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
    void oneSuccessEndsTheSlowDown() {
        HostHealth health = new HostHealth();
        for (int i = 0; i < 5; i++) {
            health.failed();
        }
        assertThat(health.delay()).isEqualTo(Duration.ofSeconds(1));
        health.succeeded();
        assertThat(health.delay()).isZero();
    }
}
