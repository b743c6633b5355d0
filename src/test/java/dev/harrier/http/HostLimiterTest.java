package dev.harrier.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-host limits that every job of an instance shares. */
class HostLimiterTest {

    private static final String HOST = "boards.example:443";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HostLimiter limiter = new HostLimiter(3, registry, Ticker.SYSTEM);

    @Test
    void requestsInFlightToOneHostNeverExceedTheCeilingWhateverTheJobs() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();

        Multi.createFrom().range(0, 20)
                .onItem().transformToUni(i -> limiter.run(HOST, () -> {
                    peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    return reply(200)
                            .onItem().delayIt().by(Duration.ofMillis(20))
                            .invoke(inFlight::decrementAndGet);
                }))
                .merge(20)
                .collect().asList()
                .await().atMost(Duration.ofSeconds(10));

        assertThat(peak.get()).isEqualTo(3);
        assertThat(gauge("harrier.http.hosts.tracked")).as("an idle, healthy host is forgotten").isZero();
    }

    @Test
    void aHostThatKeepsFailingIsSlowedDownUntilItAnswersAgain() {
        for (int i = 0; i < HostHealth.THRESHOLD; i++) {
            limiter.run(HOST, () -> reply(503)).await().atMost(Duration.ofSeconds(5));
        }
        assertThat(gauge("harrier.http.hosts.slowed")).isEqualTo(1);

        long before = System.nanoTime();
        AtomicInteger startedAfterMs = new AtomicInteger();
        limiter.run(HOST, () -> {
            startedAfterMs.set((int) ((System.nanoTime() - before) / 1_000_000));
            return reply(200);
        }).await().atMost(Duration.ofSeconds(5));

        assertThat(startedAfterMs.get()).as("the request waited for the host's slow-down").isGreaterThanOrEqualTo(200);
        assertThat(gauge("harrier.http.hosts.slowed")).isZero();
        assertThat(gauge("harrier.http.hosts.tracked")).isZero();
    }

    @Test
    void requestsWaitingSideBySideOnAFailingHostGoOutOneDelayApart() {
        failThreeTimes();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());

        Multi.createFrom().range(0, 3)
                .onItem().transformToUni(i -> limiter.run(HOST, () -> {
                    starts.add(System.nanoTime());
                    return reply(503);
                }))
                .merge(3)
                .collect().asList()
                .await().atMost(Duration.ofSeconds(20));

        List<Long> sorted = starts.stream().sorted().toList();
        // At least 250 ms apart (the delay after three failures; more once these fail too).
        assertThat((sorted.get(1) - sorted.get(0)) / 1_000_000).as("second after first").isGreaterThanOrEqualTo(200);
        assertThat((sorted.get(2) - sorted.get(1)) / 1_000_000).as("third after second").isGreaterThanOrEqualTo(200);
    }

    @Test
    void whenAFailingHostAnswersAgainItsWaitersGoOnWithoutTheirTurns() {
        failThreeTimes();
        long before = System.nanoTime();
        AtomicInteger served = new AtomicInteger();

        // Twenty waiters on a host that answers: 250 ms apart they would take 5 s; the first
        // answer ends the slow-down for all of them.
        Multi.createFrom().range(0, 20)
                .onItem().transformToUni(i -> limiter.run(HOST, () -> {
                    served.incrementAndGet();
                    return reply(200);
                }))
                .merge(20)
                .collect().asList()
                .await().atMost(Duration.ofSeconds(20));

        assertThat(served.get()).isEqualTo(20);
        assertThat((System.nanoTime() - before) / 1_000_000).isLessThan(2_500);
    }

    private void failThreeTimes() {
        for (int i = 0; i < HostHealth.THRESHOLD; i++) {
            limiter.run(HOST, () -> reply(503)).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void connectionErrorsCountAsFailuresAndRefusalsDoNot() {
        for (int i = 0; i < 2; i++) {
            limiter.run(HOST, () -> Uni.createFrom().failure(new ConnectException("refused")))
                    .onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(5));
        }
        limiter.run(HOST, () -> Uni.createFrom().failure(new AddressGuard.Refused("private")))
                .onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(5));
        assertThat(gauge("harrier.http.hosts.slowed")).as("a refusal is no third failure").isZero();

        limiter.run(HOST, () -> Uni.createFrom().failure(new ConnectException("refused")))
                .onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(5));
        assertThat(gauge("harrier.http.hosts.slowed")).as("nor did it reset the streak").isEqualTo(1);
        assertThat(count(HOST, "io_error")).isEqualTo(3);
        assertThat(count(HOST, "refused")).isEqualTo(1);
    }

    @Test
    void requestsAreCountedPerHostAndOutcome() {
        limiter.run(HOST, () -> reply(200)).await().indefinitely();
        limiter.run(HOST, () -> reply(200)).await().indefinitely();
        limiter.run(HOST, () -> reply(429)).await().indefinitely();
        limiter.run("other.example:80", () -> reply(404)).await().indefinitely();

        assertThat(count(HOST, "success")).isEqualTo(2);
        assertThat(count(HOST, "rate_limited")).isEqualTo(1);
        assertThat(count("other.example:80", "client_error")).isEqualTo(1);
    }

    private double count(String host, String outcome) {
        return registry.get("harrier.http.requests").tag("host", host).tag("outcome", outcome).counter().count();
    }

    private static Uni<OutboundReply> reply(int status) {
        return Uni.createFrom().item(() -> new OutboundReply(status, Map.of(), new byte[0], false, Duration.ZERO,
                URI.create("https://boards.example/")));
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
