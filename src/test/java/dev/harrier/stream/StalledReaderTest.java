package dev.harrier.stream;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.config.HarrierConfig;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A workspace stream reader that never reads holds at most the stream buffer's bytes of job
 * documents and is closed once it has accepted nothing for three keep-alive periods; it finds a
 * {@code reset} event when it reconnects. A reader that keeps up gets every terminal status
 * meanwhile, bursts of documents larger than the buffer included.
 */
@QuarkusTest
class StalledReaderTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int JOBS = 60;
    private static final int BODY_CHARS = 400_000;

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    MeterRegistry meters;

    @Inject
    HarrierConfig config;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    @Test
    void aReaderThatNeverReadsIsBoundedInBytesAndClosedWhileOthersGetEveryTerminalStatus() throws Exception {
        long bound = config.api().streamBufferBytes();
        try (StubServer stub = new StubServer();
             Socket stalled = new Socket();
             SseClient reader = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/events?events=status",
                     Map.of("Authorization", "Bearer test-key-default"))) {
            stub.withoutRecording().on("/hook", request -> request.response().end("ok"));
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new InetSocketAddress(base.getHost(), base.getPort()));
            stalled.getOutputStream().write(("GET /api/v1/events?events=status HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer test-key-default\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> gauge("harrier.streams.workspace.open") == 2);

            AtomicLong mostHeld = new AtomicLong();
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    mostHeld.accumulateAndGet((long) gauge("harrier.streams.workspace.held"), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            String body = "x".repeat(BODY_CHARS);
            for (int i = 0; i < JOBS; i++) {
                api().body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/hook") + "\", \"method\": \"POST\", "
                        + "\"body\": {\"n\": " + i + ", \"padding\": \"" + body + "\"}}}").post("/api/v1/jobs").then().statusCode(201);
            }
            harness.start("stall");

            Set<String> completed = new HashSet<>();
            while (completed.size() < JOBS) {
                SseClient.Event event = reader.next(WAIT);
                assertThat(event).as("the reader that keeps up is not closed").isNotNull();
                var document = mapper.readTree(event.data());
                if (document.get("status").asText().equals("completed")) {
                    completed.add(document.get("id").asText());
                }
            }
            sampler.interrupt();

            assertThat(mostHeld.get()).as("bytes of documents held for the two readers").isLessThanOrEqualTo(2 * bound);
            assertThat(mostHeld.get()).as("the stalled reader did hold documents up to its bound").isGreaterThan(bound / 2);
            await().atMost(WAIT).until(() -> gauge("harrier.streams.workspace.open") == 1);
            assertThat(gauge("harrier.streams.workspace.held")).isZero();
        }
    }

    @Test
    void aReconnectingReaderStartsWithAResetEvent() throws Exception {
        try (SseClient stream = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/events?events=status",
                Map.of("Authorization", "Bearer test-key-default", "Last-Event-ID", "41"))) {
            SseClient.Event first = stream.next(WAIT);
            assertThat(first.name()).isEqualTo("reset");
            assertThat(mapper.readTree(first.data()).get("reason").asText()).contains("re-read");
            assertThat(first.id()).as("an id, so that the next reconnect sends Last-Event-ID too").isEqualTo("0");
        }
        try (SseClient fresh = SseClient.open(base.toString().replaceAll("/$", "") + "/api/v1/events?events=status",
                Map.of("Authorization", "Bearer test-key-default"))) {
            SseClient.Event connected = fresh.poll(Duration.ofSeconds(5));
            assertThat(connected.name()).as("a new stream: no reset").isEqualTo(":");
            assertThat(connected.data()).isEqualTo("connected");
        }
    }
}
