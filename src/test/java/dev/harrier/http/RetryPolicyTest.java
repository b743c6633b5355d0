package dev.harrier.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one reading of a status and the one retry policy that the kinds and the host limiter share. */
class RetryPolicyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    private static OutboundReply reply(int status, Map<String, String> headers) {
        return new OutboundReply(status, headers, new byte[0], false, Duration.ofMillis(5), URI.create("https://api.example/x"));
    }

    @Test
    void statusesAreReadOneWayForRetriesAndForTheHost() {
        assertThat(StatusClass.of(200)).isEqualTo(StatusClass.SUCCESS);
        assertThat(StatusClass.of(304)).isEqualTo(StatusClass.SUCCESS);
        assertThat(StatusClass.of(404)).isEqualTo(StatusClass.CLIENT_ERROR);
        assertThat(StatusClass.of(408)).isEqualTo(StatusClass.REQUEST_TIMEOUT);
        assertThat(StatusClass.of(425)).isEqualTo(StatusClass.TOO_EARLY);
        assertThat(StatusClass.of(429)).isEqualTo(StatusClass.RATE_LIMITED);
        assertThat(StatusClass.of(503)).isEqualTo(StatusClass.SERVER_ERROR);
        assertThat(StatusClass.values()).filteredOn(StatusClass::retryable)
                .containsExactlyInAnyOrder(StatusClass.TOO_EARLY, StatusClass.REQUEST_TIMEOUT, StatusClass.RATE_LIMITED,
                        StatusClass.SERVER_ERROR);
        assertThat(StatusClass.values()).filteredOn(StatusClass::hostFailing)
                .as("a 425 asks to wait; it says nothing bad of the host")
                .containsExactlyInAnyOrder(StatusClass.REQUEST_TIMEOUT, StatusClass.RATE_LIMITED, StatusClass.SERVER_ERROR);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsADateAndOtherwiseTheBackoffDecides() {
        assertThat(RetryPolicy.retryAfter(reply(429, Map.of("Retry-After", "7")), CLOCK)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryPolicy.retryAfter(reply(503, Map.of("Retry-After", "Tue, 01 Dec 2026 10:01:30 GMT")), CLOCK))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(RetryPolicy.retryAfter(reply(503, Map.of("Retry-After", "Mon, 30 Nov 2026 10:00:00 GMT")), CLOCK))
                .as("a date in the past: at once").isZero();
        assertThat(RetryPolicy.retryAfter(reply(503, Map.of("Retry-After", "soon")), CLOCK)).isNull();
        assertThat(RetryPolicy.retryAfter(reply(503, Map.of()), CLOCK)).isNull();

        assertThat(RetryPolicy.delayAfter(reply(429, Map.of("Retry-After", "7")), 1, CLOCK)).isEqualTo(Duration.ofSeconds(7));
        for (int tries = 1; tries < 8; tries++) {
            Duration delay = RetryPolicy.delayAfter(reply(503, Map.of()), tries, CLOCK);
            Duration ceiling = Duration.ofMillis(Math.min(10_000, 250L << (tries - 1)));
            assertThat(delay).isBetween(ceiling.dividedBy(2), ceiling);
        }
        assertThat(RetryPolicy.retryable(new AddressGuard.Refused("private"))).isFalse();
        assertThat(RetryPolicy.retryable(new ConnectException("refused"))).isTrue();
    }
}
