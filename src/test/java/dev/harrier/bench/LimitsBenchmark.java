package dev.harrier.bench;

import static io.restassured.RestAssured.given;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shared limits' overhead (bench/README.md, "Shared limits"): requests a second from scrape jobs
 * through packaged instances to a local stub that answers at once, with every request counted
 * against one shared limit set far above what the stub can take (rate and concurrency), against the
 * same jobs with no limit; one and three instances, rounds alternating. Not part of the test suite:
 * run it with {@code bench/limits.sh} (which packages the service first).
 */
@Tag("bench")
class LimitsBenchmark {

    private static final String KEY = "bench-key-limits-0123456789abcdef";
    private static final int JOBS = Integer.getInteger("bench.jobs", 20);
    private static final int URLS = Integer.getInteger("bench.urls", 1_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    private static final String INSTANCES = System.getProperty("bench.instances", "1,3");
    private static final String LIMIT = System.getProperty("bench.limit", "{\"requests\": 1000000, \"perSeconds\": 1, \"concurrency\": 100000}");

    @Test
    void sharedLimitAgainstNone() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicLong requests = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        HttpServer stub = vertx.createHttpServer().requestHandler(r -> {
            long now = System.nanoTime();
            if (requests.getAndIncrement() == 0) {
                first.set(now);
            }
            last.set(now);
            r.response().end("ok");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + stub.actualPort() + "/page";
        try {
            for (String count : INSTANCES.split(",")) {
                int instances = Integer.parseInt(count.strip());
                TestDatabase.cleanIfMigrated();
                List<HarrierProcess> running = start(instances);
                try {
                    put(running.get(0), LIMIT);
                    run(running, url, null, requests, first, last); // warm-up
                    run(running, url, "far-above", requests, first, last);
                    for (int round = 1; round <= ROUNDS; round++) {
                        for (String limit : new String[] {null, "far-above"}) {
                            double perSecond = run(running, url, limit, requests, first, last);
                            System.out.printf("BENCH limits round %d: %d instance(s), %d scrape jobs x %d URLs, %s: %.0f requests/s%n",
                                    round, instances, JOBS, URLS, limit == null ? "no limit" : "one shared limit far above capacity",
                                    perSecond);
                        }
                    }
                } finally {
                    running.forEach(HarrierProcess::close);
                }
            }
        } finally {
            TestDatabase.cleanIfMigrated();
            vertx.close();
        }
    }


    private static double run(List<HarrierProcess> instances, String url, String limit, AtomicLong requests, AtomicLong first,
                              AtomicLong last) {
        TestDatabase.execute("DELETE FROM harrier.jobs");
        requests.set(0);
        String urls = IntStream.range(0, URLS).mapToObj(i -> "\"" + url + "?p=" + i + "\"").collect(Collectors.joining(","));
        StringBuilder batch = new StringBuilder("{\"jobs\": [");
        for (int j = 0; j < JOBS; j++) {
            batch.append(j == 0 ? "" : ",").append("{\"kind\": \"scrape\", \"args\": {\"urls\": [").append(urls)
                    .append("], \"concurrency\": 32, \"perHostConcurrency\": 32, \"retries\": 0, \"extract\": {\"type\": \"raw\"}")
                    .append(limit == null ? "" : ", \"limit\": \"" + limit + "\"").append("}}");
        }
        given().header("Authorization", "Bearer " + KEY).contentType("application/json").body(batch.append("]}").toString())
                .post(instances.get(0).baseUrl() + "/api/v1/jobs/batch").then().statusCode(201);
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status <> 'completed'") == 0);
        long total = requests.get();
        if (total != (long) JOBS * URLS) {
            throw new IllegalStateException("the stub saw " + total + " requests, not " + (long) JOBS * URLS);
        }
        return total / ((last.get() - first.get()) / 1e9);
    }

    private static List<HarrierProcess> start(int instances) throws Exception {
        String url = TestDatabase.serviceUrl();
        List<HarrierProcess> running = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Map<String, String> env = new HashMap<>(Map.of("HARRIER_DB_URL", url, "HARRIER_API_KEYS", "default:" + KEY,
                    "HARRIER_HTTP_ALLOWED_TARGETS", "127.0.0.1", "HARRIER_WORKER_INSTANCE_ID", "bench-" + i,
                    // Each instance runs its share of the jobs at once.
                    "HARRIER_WORKER_SLOTS", Integer.toString(Math.max(1, JOBS / instances))));
            running.add(HarrierProcess.start(env));
        }
        for (HarrierProcess instance : running) {
            instance.awaitReady(Duration.ofSeconds(120));
        }
        return running;
    }

    private static void put(HarrierProcess harrier, String body) {
        given().header("Authorization", "Bearer " + KEY).contentType("application/json").body(body)
                .put(harrier.baseUrl() + "/api/v1/limits/far-above").then().statusCode(201);
    }
}
