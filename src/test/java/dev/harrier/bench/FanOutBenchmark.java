package dev.harrier.bench;

import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fan-out benchmark (bench/README.md): a scrape of {@code bench.urls} URLs at
 * {@code bench.concurrency} against a local stub that answers every request after 50 ms.
 */
@QuarkusTest
@Tag("bench")
class FanOutBenchmark {

    private static final int URLS = Integer.getInteger("bench.urls", 10_000);
    private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 200);
    private static final int LATENCY_MS = 50;
    private static final int WARM_UP_URLS = Integer.getInteger("bench.warm-up-urls", 60_000);

    @Inject
    EngineHarness harness;

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void scrapeAgainstA50MillisecondStub() throws Exception {
        TestDatabase.clean();
        try (StubServer stub = new StubServer().withoutRecording()) {
            AtomicLong first = new AtomicLong();
            AtomicLong last = new AtomicLong();
            stub.on("/page", r -> {
                long now = System.nanoTime();
                first.compareAndSet(0, now);
                last.set(now);
                Vertx.currentContext().owner()
                        .setTimer(LATENCY_MS, t -> r.response().end("<p>ok " + r.getParam("n") + "</p>"));
            });
            harness.start("bench", b -> b.slots(4));
            // A service answers in steady state: one untimed job first, so that the timed one does
            // not measure the JIT compiling the path.
            if (WARM_UP_URLS > 0) {
                EnqueueResult warmUp = harness.submit("scrape", args(stub, WARM_UP_URLS));
                harness.awaitStatus(warmUp.job().id(), JobStatus.COMPLETED, Duration.ofMinutes(5));
                first.set(0);
            }
            String args = args(stub, URLS);

            long started = System.nanoTime();
            EnqueueResult job = harness.submit("scrape", args);
            harness.awaitStatus(job.job().id(), JobStatus.COMPLETED, Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - started) / 1e9;

            double ideal = (double) URLS / CONCURRENCY * LATENCY_MS / 1000;
            System.out.printf("%nBENCH phases: first request after %.2f s, requests spread over %.2f s, completed %.2f s after the last request%n",
                    (first.get() - started) / 1e9, (last.get() - first.get()) / 1e9, (started + (long) (seconds * 1e9) - last.get()) / 1e9);
            long stored = TestDatabase.queryLong("SELECT count(*) FROM harrier.job_items WHERE status = 'ok' AND job_id = '" + job.job().id() + "'");
            System.out.printf("%nBENCH fan-out: %d URLs at concurrency %d, stub latency %d ms: %.2f s (ideal %.2f s, ratio %.2f), %.0f requests/s, %d items stored ok, heap max %d MB, %s%n%n",
                    URLS, CONCURRENCY, LATENCY_MS, seconds, ideal, seconds / ideal, URLS / seconds, stored,
                    Runtime.getRuntime().maxMemory() / 1_048_576, peakRss());
        }
    }

    private static String args(StubServer stub, int count) {
        StringBuilder urls = new StringBuilder();
        for (int i = 0; i < count; i++) {
            urls.append(i == 0 ? "" : ",").append('"').append(stub.url("/page?n=" + i)).append('"');
        }
        return "{\"urls\": [" + urls + "], \"concurrency\": " + CONCURRENCY + ", \"perHostConcurrency\": " + CONCURRENCY
                + ", \"retries\": 0, \"extract\": {\"type\": \"raw\"}}";
    }

    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM")).findFirst().orElse("?").replaceAll("\\s+", " ");
        } catch (Exception e) {
            return "?";
        }
    }
}
