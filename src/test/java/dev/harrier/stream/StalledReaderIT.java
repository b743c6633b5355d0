package dev.harrier.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.StubServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The packaged service on a small heap, one workspace stream client that never reads, and jobs
 * whose documents are almost a megabyte each: the service stays ready and every other reader gets
 * every terminal status. (Before the stream buffer was bounded in bytes, this ran out of memory.)
 */
class StalledReaderIT {

    private static final String KEY = "it-key-stalled-reader-0123456789";
    private static final int JOBS = 150;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneReaderThatNeverReadsCannotTakeASmallInstanceDown() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.withoutRecording().on("/hook", request -> request.response().end("ok"));
            Map<String, String> env = Map.of(
                    "HARRIER_EMBEDDED_DB_DIR", Files.createTempDirectory("harrier-stalled-it").toString(),
                    "HARRIER_API_KEYS", "default:" + KEY,
                    "HARRIER_HTTP_ALLOWED_TARGETS", "127.0.0.1",
                    "JAVA_TOOL_OPTIONS", "-Xmx160m");
            try (HarrierProcess harrier = HarrierProcess.start(env)) {
                harrier.awaitReady(Duration.ofSeconds(90));
                try (Socket stalled = new Socket();
                     SseClient reader = SseClient.open(harrier.baseUrl() + "/api/v1/events?events=status", Map.of("Authorization", "Bearer " + KEY))) {
                    stalled.setReceiveBufferSize(1024);
                    stalled.connect(new InetSocketAddress("localhost", harrier.port()));
                    stalled.getOutputStream().write(("GET /api/v1/events?events=status HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                            + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

                    AtomicInteger notReady = new AtomicInteger();
                    Thread probe = Thread.ofVirtual().start(() -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                if (given().get(harrier.managementUrl() + "/q/health/ready").statusCode() != 200) {
                                    notReady.incrementAndGet();
                                }
                                Thread.sleep(500);
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                notReady.incrementAndGet();
                            }
                        }
                    });
                    String padding = "x".repeat(900_000);
                    for (int i = 0; i < JOBS; i++) {
                        given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                                .body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/hook") + "\", \"method\": \"POST\", "
                                        + "\"body\": {\"n\": " + i + ", \"padding\": \"" + padding + "\"}}}")
                                .post(harrier.baseUrl() + "/api/v1/jobs").then().statusCode(201);
                    }

                    Set<String> completed = new HashSet<>();
                    while (completed.size() < JOBS) {
                        SseClient.Event event = reader.next(Duration.ofSeconds(120));
                        assertThat(event).as("the reading client's stream:\n%s", tail(harrier)).isNotNull();
                        var document = JSON.readTree(event.data());
                        if (document.get("status").asText().equals("completed")) {
                            completed.add(document.get("id").asText());
                        }
                    }
                    probe.interrupt();
                    assertThat(notReady.get()).as("readiness probes that failed").isZero();
                    assertThat(harrier.output()).doesNotContain("OutOfMemoryError");
                    given().get(harrier.managementUrl() + "/q/health/ready").then().statusCode(200);
                }
                harrier.stop(Duration.ofSeconds(60));   // SIGTERM still stops it (fails if it does not exit)
            }
        }
    }

    private static String tail(HarrierProcess harrier) {
        try {
            String out = harrier.output();
            return out.substring(Math.max(0, out.length() - 4000));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
