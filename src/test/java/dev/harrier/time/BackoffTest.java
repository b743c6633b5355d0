package dev.harrier.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(10), 2.0);

    @Test
    void theDelayDoublesPerAttemptWithHalfOfItJittered() {
        assertThat(backoff.delayAfter(1, () -> 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delayAfter(1, () -> 1.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delayAfter(2, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delayAfter(3, () -> 0.5)).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void theDelayNeverExceedsTheCap() {
        assertThat(backoff.delayAfter(30, () -> 1.0)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.delayAfter(1000, () -> 0.0)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void consecutiveAttemptsNeverWaitLessWithAFactorOfTwo() {
        for (int attempt = 1; attempt < 12; attempt++) {
            Duration longestThis = backoff.delayAfter(attempt, () -> 1.0);
            Duration shortestNext = backoff.delayAfter(attempt + 1, () -> 0.0);
            assertThat(shortestNext).isGreaterThanOrEqualTo(longestThis.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : longestThis);
        }
    }

    @Test
    void nonsensicalSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1), 2.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCeilingIsTheDelayWithoutJitter() {
        Backoff doubling = Backoff.doubling(Duration.ofMillis(250), Duration.ofSeconds(10));
        assertThat(doubling.ceilingAfter(1)).isEqualTo(Duration.ofMillis(250));
        assertThat(doubling.ceilingAfter(3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(doubling.ceilingAfter(40)).isEqualTo(Duration.ofSeconds(10));
        assertThat(doubling.delayAfter(3, () -> 1.0)).isEqualTo(doubling.ceilingAfter(3));
    }
}
