package dev.harrier.bench;

import dev.harrier.queue.JobRequest;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stream benchmark (bench/README.md): 1,000 SSE clients following 100 running jobs that log
 * every 200 ms, plus one client that never reads; prints the delivery delay from the handler's log
 * call to the client's read, and the memory of the JVM (server and clients share it).
 */
@QuarkusTest
@Tag("bench")
class SseBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 100);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 1000);
    private static final int TICKS = Integer.getInteger("bench.ticks", 100);
    private static final int EVERY_MS = Integer.getInteger("bench.every-ms", 200);
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warm-up-seconds", 5);
    private static volatile long measureFrom = Long.MAX_VALUE;

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

        ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
        AtomicLong received = new AtomicLong();
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(SseClient.open(base + "api/v1/jobs/" + ids.get(i % JOBS) + "/events",
                    Map.of("Authorization", "Bearer test-key-default")));
        }
        Socket stalled = new Socket(base.getHost(), base.getPort());
        stalled.setReceiveBufferSize(1024);
        stalled.getOutputStream().write(("GET /api/v1/jobs/" + ids.get(0) + "/events HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer test-key-default\r\n\r\n").getBytes());
        List<Thread> readers = new ArrayList<>();
        for (SseClient client : clients) {
            readers.add(Thread.ofVirtual().start(() -> read(client, delays, received)));
        }

        long started = System.nanoTime();
        measureFrom = started + WARM_UP_SECONDS * 1_000_000_000L;
        harness.start("bench", b -> b.slots(JOBS));
        long peakHeap = 0;
        List<Long> heapAfterGc = new ArrayList<>();
        for (Thread reader : readers) {
            while (reader.isAlive()) {
                peakHeap = Math.max(peakHeap, usedHeap());
                if ((System.nanoTime() - started) / 1_000_000_000L > 5L * (heapAfterGc.size() + 1)) {
                    System.gc();
                    heapAfterGc.add(usedHeap());
                }
                reader.join(200);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        stalled.close();
        clients.forEach(c -> {
            try {
                c.close();
            } catch (Exception e) {
                // closing
            }
        });

        List<Long> sorted = new ArrayList<>(delays);
        Collections.sort(sorted);
        long expected = (long) CLIENTS * TICKS;
        System.out.printf("%nBENCH streams: %d clients on %d jobs (+1 that never reads), %d log events each job, %.1f s%n",
                CLIENTS, JOBS, TICKS, seconds);
        System.out.printf("BENCH streams: %d of %d events delivered; delay after a %d s warm-up: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                received.get(), expected, WARM_UP_SECONDS, pct(sorted, 50), pct(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
        System.out.printf("BENCH streams: heap after GC every 5 s (MB): %s; peak used heap %d MB; peak RSS %s%n%n",
                heapAfterGc.stream().map(b -> Long.toString(b / 1_048_576)).toList(), peakHeap / 1_048_576, peakRss());
    }

    private static void read(SseClient client, ConcurrentLinkedQueue<Long> delays, AtomicLong received) {
        try {
            while (true) {
                SseClient.Event event = client.next(Duration.ofSeconds(60));
                if (event == null) {
                    return;
                }
                if (event.name().equals("log")) {
                    long now = System.nanoTime();
                    int t = event.data().indexOf("t=");
                    long sent = Long.parseLong(event.data().substring(t + 2, event.data().indexOf('"', t)));
                    if (now > measureFrom) {
                        delays.add(now - sent);
                    }
                    received.incrementAndGet();
                }
            }
        } catch (Throwable e) {
            // A stream that ended badly delivers fewer events: the count shows it.
        }
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

    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }
}
