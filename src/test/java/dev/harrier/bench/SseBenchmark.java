package dev.harrier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.queue.JobRequest;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stream benchmark (bench/README.md): 1,000 SSE clients following 100 running jobs that log
 * every 200 ms, plus one client that never reads; prints the delivery delay from the handler's log
 * call to the client's read, and the memory of the service. The clients are a Node.js process.
 */
@QuarkusTest
@Tag("bench")
class SseBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 100);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 1000);
    private static final int TICKS = Integer.getInteger("bench.ticks", 100);
    private static final int EVERY_MS = Integer.getInteger("bench.every-ms", 200);
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warm-up-seconds", 5);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    @Test
    void thousandClientsFollowingAHundredJobs() throws Exception {
        TestDatabase.clean();
        List<String> ids = new ArrayList<>();
        List<JobRequest> jobs = Collections.nCopies(JOBS, JobRequest.of("bench-ticker",
                harness.json("{\"ticks\": " + TICKS + ", \"everyMs\": " + EVERY_MS + "}")));
        harness.submitMany(jobs).forEach(r -> ids.add(r.job().id().toString()));

        // The clients run in their own process (bench/node/sse-clients.mjs), so that the service's
        // figures are its own: 1,000 reading clients would otherwise share its JVM and its cores.
        // Streams are opened before the engine starts (the jobs wait as pending); measuring starts
        // WARM_UP_SECONDS after the engine does.
        long engineStartsAt = System.currentTimeMillis() + 3_000;
        List<String> command = new ArrayList<>(List.of("node", Path.of("bench/node/sse-clients.mjs").toString(),
                base.toString(), "test-key-default", Integer.toString(CLIENTS),
                Long.toString(engineStartsAt + WARM_UP_SECONDS * 1000L)));
        command.addAll(ids);
        Process clients = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long started;
        long peakHeap = 0;
        List<Long> heapAfterGc = new ArrayList<>();
        double seconds;
        JsonNode summary;
        try {
            Thread.sleep(Math.max(0, engineStartsAt - System.currentTimeMillis()));
            started = System.nanoTime();
            harness.start("bench", b -> b.slots(JOBS));
            long limit = started + TimeUnit.SECONDS.toNanos(60L + (long) TICKS * EVERY_MS / 1000);
            while (clients.isAlive() && System.nanoTime() < limit) {
                peakHeap = Math.max(peakHeap, usedHeap());
                if ((System.nanoTime() - started) / 1_000_000_000L > 5L * (heapAfterGc.size() + 1)) {
                    System.gc();
                    heapAfterGc.add(usedHeap());
                }
                clients.waitFor(200, TimeUnit.MILLISECONDS);
            }
            seconds = (System.nanoTime() - started) / 1e9;
            if (clients.isAlive()) {
                throw new IllegalStateException("the clients did not finish in time");
            }
            summary = harness.json(new String(clients.getInputStream().readAllBytes()).trim());
        } finally {
            clients.destroy();
        }

        long expected = (long) CLIENTS * TICKS;
        System.out.printf("%nBENCH streams: %d clients on %d jobs (+1 that never reads), %d log events each job, %.1f s%n",
                CLIENTS, JOBS, TICKS, seconds);
        System.out.printf("BENCH streams: %d of %d events delivered (%d streams failed); delay after a %d s warm-up: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                summary.get("received").asLong(), expected, summary.get("failed").asInt(), WARM_UP_SECONDS,
                summary.get("p50").asDouble(), summary.get("p99").asDouble(), summary.get("max").asDouble());
        System.out.printf("BENCH streams: service heap after GC every 5 s (MB): %s; peak used heap %d MB; service peak RSS %s%n%n",
                heapAfterGc.stream().map(b -> Long.toString(b / 1_048_576)).toList(), peakHeap / 1_048_576, peakRss());
    }

    private static long usedHeap() {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
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
