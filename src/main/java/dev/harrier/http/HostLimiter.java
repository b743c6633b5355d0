package dev.harrier.http;

import dev.harrier.config.HarrierConfig;
import dev.harrier.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What every outbound request of this instance shares, per host ({@code host:port}): a ceiling on
 * requests in flight to it across all jobs ({@code harrier.http.max-per-host}), the slow-down of a
 * host that keeps failing ({@link HostHealth}), and the count of requests per host and outcome
 * ({@code harrier_http_requests_total}). A host's entry lives while requests to it are in flight or
 * it is failing, so a job over 100,000 hosts leaves no map of 100,000 entries behind.
 */
@ApplicationScoped
public class HostLimiter {

    /** Past this many distinct hosts, metrics count the rest as {@code host="other"}. */
    static final int MAX_METRIC_HOSTS = 1000;
    /** Past this many hosts, idle failing hosts are forgotten too. */
    static final int MAX_TRACKED_HOSTS = 10_000;

    private final int ceiling;
    private final MeterRegistry registry;
    private final Ticker ticker;
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> metricHosts = ConcurrentHashMap.newKeySet();

    private static final class Host {
        final AsyncPermits permits;
        final HostHealth health = new HostHealth();
        int users;

        Host(int ceiling) {
            this.permits = new AsyncPermits(ceiling);
        }
    }

    @Inject
    public HostLimiter(HarrierConfig config, MeterRegistry registry, Ticker ticker) {
        this(config.http().maxPerHost(), registry, ticker);
    }

    HostLimiter(int ceiling, MeterRegistry registry, Ticker ticker) {
        this.ceiling = ceiling;
        this.registry = registry;
        this.ticker = ticker;
        Gauge.builder("harrier.http.hosts.tracked", hosts, Map::size)
                .description("Hosts with requests in flight or a failure streak (the others are forgotten)")
                .register(registry);
        Gauge.builder("harrier.http.hosts.slowed", this, HostLimiter::slowedHosts)
                .description("Hosts that failed often enough in a row for their requests to be paced")
                .register(registry);
    }

    /**
     * Runs {@code exchange} once the host is free for it: at its turn if the host is failing, and with
     * one of its permits, released however the exchange ends (reply, failure or cancellation).
     */
    public Uni<OutboundReply> run(String host, Supplier<Uni<OutboundReply>> exchange) {
        return Uni.createFrom().deferred(() -> {
            Host entry = enter(host);
            // onTermination may run twice when a cancel races the reply: leave once only.
            AtomicBoolean left = new AtomicBoolean();
            return awaitTurn(entry.health)
                    .flatMap(x -> entry.permits.withPermit(exchange))
                    .invoke(reply -> recordReply(host, entry, StatusClass.of(reply.status())))
                    .onFailure().invoke(failure -> recordFailure(host, entry, failure))
                    .onTermination().invoke(() -> {
                        if (left.compareAndSet(false, true)) {
                            leave(host, entry);
                        }
                    });
        });
    }

    private double slowedHosts() {
        return hosts.values().stream().filter(host -> host.health.consecutiveFailures() >= HostHealth.THRESHOLD).count();
    }

    /** A reply: its class ({@link StatusClass}) says whether it counts against the host. */
    private void recordReply(String host, Host entry, StatusClass status) {
        if (status.hostFailing()) {
            entry.health.failed();
        } else {
            entry.health.succeeded();
        }
        counter(host, switch (status) {
            case SUCCESS -> "success";
            case CLIENT_ERROR, TOO_EARLY -> "client_error";
            case REQUEST_TIMEOUT -> "timeout";
            case RATE_LIMITED -> "rate_limited";
            case SERVER_ERROR -> "server_error";
        }).increment();
    }

    /** No reply: a connection error or time-out counts against the host; a refused target was never asked. */
    private void recordFailure(String host, Host entry, Throwable failure) {
        if (failure instanceof AddressGuard.Refused) {
            counter(host, "refused").increment();
            return;
        }
        entry.health.failed();
        counter(host, "io_error").increment();
    }

    private Counter counter(String host, String outcome) {
        boolean named = metricHosts.contains(host) || (metricHosts.size() < MAX_METRIC_HOSTS && metricHosts.add(host));
        String tag = named ? host : "other";
        return counters.computeIfAbsent(tag + " " + outcome, key -> Counter.builder("harrier.http.requests")
                .description("Outbound HTTP requests per host and outcome")
                .tag("host", tag)
                .tag("outcome", outcome)
                .register(registry));
    }

    private Host enter(String host) {
        return hosts.compute(host, (key, entry) -> {
            Host current = entry == null ? new Host(ceiling) : entry;
            current.users++;
            return current;
        });
    }

    private void leave(String host, Host entry) {
        hosts.computeIfPresent(host, (key, current) -> {
            if (current != entry) {
                return current;
            }
            current.users--;
            // A failing host keeps its entry (and so its slow-down) until it answers again, unless
            // so many hosts are tracked that a job over thousands of dead hosts would fill the map.
            boolean forget = current.health.consecutiveFailures() == 0 || hosts.size() > MAX_TRACKED_HOSTS;
            return current.users == 0 && forget ? null : current;
        });
    }

    /**
     * Waits until the host lets this request start, asking again at least every 250 ms (so that
     * waiters notice a host that answers again). A flat loop of timers, however long the wait.
     */
    private Uni<Void> awaitTurn(HostHealth health) {
        long wait = health.claim(ticker.nanoTime());
        if (wait <= 0) {
            // A healthy host, the common case: no timer, no emitter.
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean over = new AtomicBoolean();
            emitter.onTermination(() -> over.set(true));
            askLater(health, emitter, over, wait);
        });
    }

    private void askLater(HostHealth health, UniEmitter<? super Void> emitter, AtomicBoolean over, long wait) {
        Infrastructure.getDefaultWorkerPool().schedule(() -> {
            if (over.get()) {
                return;
            }
            long next = health.claim(ticker.nanoTime());
            if (next <= 0) {
                emitter.complete(null);
            } else {
                askLater(health, emitter, over, next);
            }
        }, Math.min(wait, HostHealth.FIRST_DELAY.toNanos()), TimeUnit.NANOSECONDS);
    }
}
