package dev.harrier.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClocksTest {

    @Test
    void theSystemsClockLeavesNowToTheDatabase() {
        assertThat(Clocks.forSql(Clock.systemUTC())).isNull();
        assertThat(Clocks.forSql(new Clocks().clock())).isNull();
        assertThat(Clocks.forSql(Clock.systemDefaultZone())).as("in any zone").isNull();
    }

    @Test
    void aReplacedClockIsBoundWithItsTime() {
        Instant fixed = Instant.parse("2030-01-02T03:04:05Z");

        assertThat(Clocks.forSql(Clock.fixed(fixed, ZoneOffset.UTC))).isEqualTo(fixed.atOffset(ZoneOffset.UTC));
        assertThat(Clocks.forSql(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))).isNotNull();
    }
}
