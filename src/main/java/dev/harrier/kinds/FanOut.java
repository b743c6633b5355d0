package dev.harrier.kinds;

import dev.harrier.handler.ItemCounts;
import dev.harrier.handler.ItemResult;
import dev.harrier.handler.JobContext;
import dev.harrier.http.AsyncPermits;
import dev.harrier.http.OutboundHttp;
import dev.harrier.http.OutboundReply;
import dev.harrier.http.OutboundRequest;
import dev.harrier.http.RetryPolicy;
import dev.harrier.limit.SharedLimits;
import dev.harrier.secret.SecretRefused;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The fan-out engine shared by {@code scrape} and {@code enrich}: the items of a job as a stream,
 * at most {@code concurrency} requests at once, at most {@code perHostConcurrency} per host and,
 * when set, one request per host every {@code perSeconds/requests} (a Bucket4j token bucket);
 * retries with backoff and {@code Retry-After}; each item recorded as it finishes, finished items
 * of earlier attempts skipped, no new request once the job is cancelled. Items are produced on
 * demand, so memory does not grow with the number of items.
 */
final class FanOut {

    private static final int UNWRITTEN_PER_SLOT = 4;
    static final int LOGGED_FAILURES = 20;

    /** {@code {"requests": 10, "perSeconds": 1}}. */
    public record Rate(int requests, int perSeconds) {
    }

    /** {@code limit}: the name of a shared limit every request also counts against, or null. */
    record Settings(int concurrency, int perHostConcurrency, Rate rate, int retries, String limit) {
    }

    /** Turns the reply of an item's request into its result. */
    interface Outcome {
        ItemResult of(int index, OutboundReply reply, int tries, long durationMs);
    }


    private final OutboundHttp http;
    private final Clock clock;
    private final SharedLimits limits;

    FanOut(OutboundHttp http, Clock clock, SharedLimits limits) {
        this.http = http;
        this.clock = clock;
        this.limits = limits;
    }

    /**
     * Runs every item of {@code total}; {@code inputOf} names an item, {@code requestOf} builds its
     * request. Emits the job's items with a result, counted over every attempt (an item finished by
     * an earlier attempt is skipped, not forgotten: the result counts it).
     */
    Uni<ItemCounts> run(JobContext<?> context, int total, Settings settings, IntFunction<String> inputOf,
                        IntFunction<OutboundRequest> requestOf, Outcome outcome) {
        Hosts hosts = new Hosts(settings.perHostConcurrency(), settings.rate());
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger failuresLogged = new AtomicInteger();
        // Results fetched but not yet stored: a permit each, so a database that falls behind slows
        // the fetching down instead of letting results pile up in memory.
        int window = settings.concurrency() * UNWRITTEN_PER_SLOT;
        AsyncPermits unwritten = new AsyncPermits(window);
        Uni<?> limitExists = settings.limit() == null ? Uni.createFrom().voidItem() : limits.require(context.workspace(), settings.limit());
        return limitExists.flatMap(exists -> context.finishedItems()).flatMap(done -> {
            finished.set(done.size());
            context.log().info("fetching " + (total - done.size()) + " of " + total + " items"
                    + (done.isEmpty() ? "" : " (" + done.size() + " finished by an earlier attempt)"));
            context.progress().report("fetching", done.size() + " of " + total, (long) done.size(), (long) total);
            return Multi.createFrom().range(0, total)
                    .select().where(index -> !done.contains(index))
                    .select().where(index -> !context.isCancelled())
                    .onItem().transformToUni(index -> unwritten.acquire()
                            .flatMap(permit -> item(context, index, inputOf.apply(index), requestOf, outcome, hosts, settings)))
                    .merge(settings.concurrency())
                    .onItem().transformToUni(item -> record(context, item, finished, failuresLogged, total)
                            // A failed write is logged where it happens (one batch holds items of
                            // many jobs): it must not fail this job, let alone the others.
                            .onFailure().recoverWithNull()
                            .onTermination().invoke(unwritten::release))
                    .merge(window)
                    .collect().last()
                    .flatMap(last -> context.itemCounts())
                    .invoke(counts -> context.log().info((context.isCancelled() ? "stopped: " : "finished: ")
                            + counts.ok() + " ok, " + counts.failed() + " failed of " + total + " items"));
        });
    }

    private Uni<ItemResult> item(JobContext<?> context, int index, String input, IntFunction<OutboundRequest> requestOf,
                                 Outcome outcome, Hosts hosts, Settings settings) {
        long started = System.nanoTime();
        AtomicInteger tries = new AtomicInteger();
        return Uni.createFrom().item(() -> requestOf.apply(index))
                .flatMap(request -> fetch(context, request, hosts, tries, settings))
                .map(reply -> outcome.of(index, reply, tries.get(), (System.nanoTime() - started) / 1_000_000))
                // A failure stays inside its item: it never cancels the siblings. A secret refused
                // (gone, or not for this host) fails the attempt: every item would be refused alike.
                .onFailure(failure -> !(failure instanceof SecretRefused)).recoverWithItem(failure -> new ItemResult(index, input, false, null, Math.max(1, tries.get()),
                        (System.nanoTime() - started) / 1_000_000, null, String.valueOf(failure.getMessage())));
    }

    /**
     * One request under the job's, the host's and the shared limits, tried again as {@link RetryPolicy}
     * says (every try counts against the shared limit).
     */
    private Uni<OutboundReply> fetch(JobContext<?> context, OutboundRequest request, Hosts hosts, AtomicInteger tries, Settings settings) {
        String host = request.url().getHost();
        int retries = settings.retries();
        Uni<OutboundReply> once = hosts.permits(host).withPermit(() -> hosts.pace(host)
                .flatMap(paced -> limits.run(context.workspace(), settings.limit(), () -> {
                    tries.incrementAndGet();
                    return http.send(request);
                })));
        return once.flatMap(reply -> {
            if (!RetryPolicy.retryable(reply) || tries.get() > retries || context.isCancelled()) {
                return Uni.createFrom().item(reply);
            }
            return Uni.createFrom().nullItem().onItem().delayIt().by(RetryPolicy.delayAfter(reply, tries.get(), clock))
                    .flatMap(x -> fetch(context, request, hosts, tries, settings));
        }).onFailure(failure -> RetryPolicy.retryable(failure) && tries.get() <= retries && !context.isCancelled())
                .recoverWithUni(failure -> Uni.createFrom().nullItem().onItem().delayIt().by(RetryPolicy.delayAfter(tries.get()))
                        .flatMap(x -> fetch(context, request, hosts, tries, settings)));
    }

    private static String abbreviate(String input) {
        return input == null ? "" : input.length() > 200 ? input.substring(0, 200) + "…" : input;
    }

    private Uni<Void> record(JobContext<?> context, ItemResult item, AtomicInteger finished, AtomicInteger failuresLogged,
                             int total) {
        Uni<Void> stored = context.recordItem(item);
        if (!item.ok() && failuresLogged.incrementAndGet() <= LOGGED_FAILURES) {
            // The first ones only: a dead host would otherwise add a log line for every item.
            context.log().warn("item " + item.index() + " (" + abbreviate(item.input()) + ") failed after " + item.attempts()
                    + (item.attempts() == 1 ? " try: " : " tries: ") + item.error()
                    + (failuresLogged.get() == LOGGED_FAILURES ? " (later failures are counted, not logged: see the items)" : ""));
        }
        int done = finished.incrementAndGet();
        context.progress().report(null, done + " of " + total, (long) done, (long) total);
        return stored;
    }

    /** The job's per-host limits: a concurrency bound and, when set, a token bucket per host. */
    private static final class Hosts {
        private final int perHost;
        private final Rate rate;
        private final Map<String, AsyncPermits> permits = new ConcurrentHashMap<>();
        private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

        Hosts(int perHost, Rate rate) {
            this.perHost = perHost;
            this.rate = rate;
        }

        AsyncPermits permits(String host) {
            return permits.computeIfAbsent(host, h -> new AsyncPermits(perHost));
        }

        /** Waits (without blocking) for the host's next token: one every perSeconds/requests. */
        Uni<Void> pace(String host) {
            if (rate == null) {
                return Uni.createFrom().voidItem();
            }
            Bucket bucket = buckets.computeIfAbsent(host, h -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(1)
                            .refillGreedy(rate.requests(), Duration.ofSeconds(rate.perSeconds())).build())
                    .build());
            return Uni.createFrom().completionStage(() -> bucket.asScheduler().consume(1, Infrastructure.getDefaultWorkerPool()));
        }
    }
}
