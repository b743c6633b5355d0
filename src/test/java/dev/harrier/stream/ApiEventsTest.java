package dev.harrier.stream;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job and workspace event streams, read by a real streaming client. */
@QuarkusTest
class ApiEventsTest {

    private static final Map<String, String> KEY = Map.of("Authorization", "Bearer test-key-default");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry meters;

    private double followedJobs() {
        return meters.get("harrier.streams.jobs.followed").gauge().value();
    }

    @Inject
    StatusChanges statusChanges;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private String enqueue(String body) {
        return api().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private JsonNode json(SseClient.Event event) throws Exception {
        return mapper.readTree(event.data());
    }

    @Test
    void aStreamStartsWithTheJobThenFollowsItInOrderAndClosesAtTheTerminalStatus() throws Exception {
        String id = enqueue("{\"kind\": \"test-hold\", \"args\": {\"key\": \"sse-1\", \"holdAttempts\": 1}}");
        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            SseClient.Event first = stream.next(WAIT);
            assertThat(first.name()).isEqualTo("status");
            assertThat(json(first).get("status").asText()).isEqualTo("pending");
            assertThat(first.id()).isEqualTo("0");

            harness.start("sse-runner");
            SseClient.Event running = stream.next(WAIT);
            assertThat(running.name()).isEqualTo("status");
            assertThat(json(running).get("status").asText()).isEqualTo("running");
            assertThat(running.id()).isEqualTo("1");
            HoldHandler.release("sse-1", "done");

            List<SseClient.Event> rest = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":")).toList();
            SseClient.Event last = rest.get(rest.size() - 1);
            assertThat(last.name()).isEqualTo("status");
            assertThat(json(last).get("status").asText()).isEqualTo("completed");
            assertThat(json(last).get("result").asText()).contains("done");
            assertThat(rest.stream().map(SseClient.Event::id).map(Long::parseLong).toList())
                    .isSortedAccordingTo(Long::compare)
                    .doesNotHaveDuplicates();
            assertThat(stream.otherLines()).as("only id, event, data and comment lines").isEmpty();
        }
    }

    @Test
    void progressAndLogEventsCarryTheirData() throws Exception {
        harness.start("sse-runner");
        String id = enqueue("{\"kind\": \"test-chatty\", \"args\": {\"reports\": 5}}");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"), Map.of()) ) {
            assertThat(stream.status()).isEqualTo(401);
        }
        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events?lastEventId=0"), KEY)) {
            List<SseClient.Event> all = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":")).toList();
            assertThat(all.get(0).id()).as("the snapshot of a resumed stream moves no cursor").isNull();
            List<SseClient.Event> replayed = all.subList(1, all.size());
            assertThat(replayed.stream().map(e -> Long.parseLong(e.id())).toList())
                    .isEqualTo(LongStream.rangeClosed(1, replayed.size()).boxed().toList());
            SseClient.Event log = replayed.stream().filter(e -> e.name().equals("log")).findFirst().orElseThrow();
            assertThat(json(log).get("message").asText()).isEqualTo("starting");
            assertThat(json(log).get("level").asText()).isEqualTo("info");
            assertThat(json(log).get("seq").asLong()).isEqualTo(Long.parseLong(log.id()));
            SseClient.Event progress = replayed.stream().filter(e -> e.name().equals("progress")).reduce((a, b) -> b).orElseThrow();
            assertThat(json(progress).get("done").asLong()).isEqualTo(5);
            assertThat(json(progress).get("step").asText()).isEqualTo("counting");
            assertThat(replayed.get(0).name()).isEqualTo("status");
            assertThat(json(replayed.get(0)).get("status").asText()).as("replayed statuses are as they were").isEqualTo("running");
        }
    }

    @Test
    void aLateSubscriberGetsTheCurrentStatusFirstAndTheStreamOfAnEndedJobCloses() throws Exception {
        harness.start("sse-runner");
        String id = enqueue("{\"kind\": \"noop\"}");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
            List<SseClient.Event> all = stream.untilEnd(WAIT);
            assertThat(all).hasSize(1);
            assertThat(json(all.get(0)).get("status").asText()).isEqualTo("completed");
            assertThat(all.get(0).id()).isEqualTo("2");
        }
    }

    @Test
    void aReconnectAfterTheTerminalEventGetsTheSnapshotAndTheStreamEnds() throws Exception {
        harness.start("sse-runner");
        String id = enqueue("{\"kind\": \"noop\"}");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"),
                Map.of("Authorization", "Bearer test-key-default", "Last-Event-ID", "2"))) {
            List<SseClient.Event> all = stream.untilEnd(WAIT);
            assertThat(all).hasSize(1);
            assertThat(all.get(0).id()).isNull();
            assertThat(json(all.get(0)).get("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void aReconnectWithLastEventIdReceivesEveryMissedEventOnceThenLiveOnes() throws Exception {
        String id = enqueue("{\"kind\": \"test-hold\", \"args\": {\"key\": \"sse-resume\", \"holdAttempts\": 1}}");
        String lastSeen;
        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
            lastSeen = stream.next(WAIT).id();
        }
        harness.start("sse-runner");
        harness.awaitStatus(UUID.fromString(id), JobStatus.RUNNING, WAIT);

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"),
                Map.of("Authorization", "Bearer test-key-default", "Last-Event-ID", lastSeen))) {
            SseClient.Event snapshot = stream.next(WAIT);
            assertThat(snapshot.id()).isNull();
            SseClient.Event missed = stream.next(WAIT);
            assertThat(missed.id()).isEqualTo("1");
            assertThat(json(missed).get("status").asText()).isEqualTo("running");
            HoldHandler.release("sse-resume", "ok");
            SseClient.Event live = stream.next(WAIT);
            assertThat(live.id()).isEqualTo("2");
            assertThat(json(live).get("status").asText()).isEqualTo("completed");
            assertThat(stream.next(WAIT)).as("closed after the terminal status").isNull();
        }
    }

    @Test
    void streamsOfOneJobShareOneFeedAndEachGetsEveryEventOnceInOrder() throws Exception {
        // More log lines than the feed keeps: a stream that falls behind reads the table instead.
        String id = enqueue("{\"kind\": \"test-chatty\", \"args\": {\"reports\": 3, \"logs\": " + (JobFeed.MAX_EVENTS + 100) + "}}");
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                streams.add(SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY));
                assertThat(streams.get(i).next(WAIT).id()).isEqualTo("0");
            }
            assertThat(followedJobs()).as("one feed for the five streams").isEqualTo(1);
            harness.start("sse-runner");
            long last = -1;
            for (SseClient stream : streams) {
                List<Long> ids = stream.untilEnd(WAIT).stream().filter(e -> !e.name().equals(":"))
                        .map(e -> Long.parseLong(e.id())).toList();
                assertThat(ids).isEqualTo(LongStream.rangeClosed(1, ids.size()).boxed().toList());
                assertThat(ids.size()).isGreaterThan(JobFeed.MAX_EVENTS + 100);
                if (last >= 0) {
                    assertThat(ids.get(ids.size() - 1)).isEqualTo(last);
                }
                last = ids.get(ids.size() - 1);
            }
        } finally {
            for (SseClient stream : streams) {
                stream.close();
            }
        }
        Awaitility.await().atMost(WAIT).until(() -> followedJobs() == 0);
    }

    @Test
    void aClientThatGoesAwayLeavesTheOtherStreamsOfItsJobWaitingAndLive() throws Exception {
        String id = enqueue("{\"kind\": \"test-hold\", \"args\": {\"key\": \"sse-leave\", \"holdAttempts\": 1}}");
        try (SseClient staying = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
            assertThat(staying.next(WAIT).id()).isEqualTo("0");
            try (SseClient leaving = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
                assertThat(leaving.next(WAIT).id()).isEqualTo("0");
                // Both wait on the job's feed now; then one client goes away.
                assertThat(leaving.poll(Duration.ofSeconds(5)).name()).isEqualTo(":");
            }
            Thread.sleep(300);
            assertThat(staying.poll(Duration.ofSeconds(5)).name()).as("still waiting: a keep-alive").isEqualTo(":");
            harness.start("sse-runner");
            SseClient.Event running = staying.next(WAIT);
            assertThat(running.id()).isEqualTo("1");
            HoldHandler.release("sse-leave", "ok");
            assertThat(staying.next(WAIT).id()).isEqualTo("2");
        }
    }

    @Test
    void anIdleStreamGetsKeepAliveComments() throws Exception {
        String id = enqueue("{\"kind\": \"noop\"}");
        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events"), KEY)) {
            assertThat(stream.poll(WAIT).name()).isEqualTo("status");
            SseClient.Event comment = stream.poll(Duration.ofSeconds(5));
            assertThat(comment.name()).isEqualTo(":");
            assertThat(comment.data()).isEqualTo("keep-alive");
        }
    }

    @Test
    void aClientThatNeverReadsSlowsNeitherTheEngineNorOtherClients() throws Exception {
        harness.start("sse-runner");
        String id = enqueue("{\"kind\": \"test-chatty\", \"args\": {\"reports\": 3}}");
        Socket stalled = new Socket(base.getHost(), base.getPort());
        stalled.getOutputStream().write(("GET /api/v1/jobs/" + id + "/events?lastEventId=0 HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer test-key-default\r\nAccept: text/event-stream\r\n\r\n").getBytes());
        stalled.setReceiveBufferSize(1024);
        try (stalled; SseClient reader = SseClient.open(url("/api/v1/jobs/" + id + "/events?lastEventId=0"), KEY)) {
            harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
            List<SseClient.Event> all = reader.untilEnd(WAIT);
            assertThat(json(all.get(all.size() - 1)).get("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void corsLetsTheWebAppsOriginCallTheApiAndOpenStreams() {
        RestAssured.given().header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/v1/jobs").then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example.com");
        api().header("Origin", "https://app.example.com").get("/api/v1/jobs").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example.com");
        api().header("Origin", "https://evil.example").get("/api/v1/jobs").then()
                .header("Access-Control-Allow-Origin", Matchers.nullValue());
    }

    @Test
    void aReadTokenOpensItsJobsStreamAndNothingElse() throws Exception {
        String id = enqueue("{\"kind\": \"noop\"}");
        String other = enqueue("{\"kind\": \"noop\"}");
        String token = api().body("{\"ttlSeconds\": 60}").post("/api/v1/jobs/" + id + "/tokens").then()
                .statusCode(201).extract().path("token");

        try (SseClient stream = SseClient.open(url("/api/v1/jobs/" + id + "/events?access_token=" + token), Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(json(stream.next(WAIT)).get("id").asText()).isEqualTo(id);
        }
        RestAssured.given().get("/api/v1/jobs/" + id + "?access_token=" + token).then().statusCode(200);
        RestAssured.given().get("/api/v1/jobs/" + other + "?access_token=" + token).then().statusCode(403);
        RestAssured.given().post("/api/v1/jobs/" + id + "/cancel?access_token=" + token).then().statusCode(403);
        RestAssured.given().get("/api/v1/jobs?access_token=" + token).then().statusCode(403);
    }

    @Test
    void theWorkspaceStreamCarriesStatusChangesOfItsWorkspaceOnly() throws Exception {
        try (SseClient mine = SseClient.open(url("/api/v1/events?queue=watched&events=status"), KEY);
             SseClient theirs = SseClient.open(url("/api/v1/events"), Map.of("Authorization", "Bearer test-key-other"))) {
            assertThat(mine.status()).isEqualTo(200);
            harness.start("sse-runner");
            String id = enqueue("{\"kind\": \"noop\", \"queue\": \"watched\"}");
            enqueue("{\"kind\": \"noop\", \"queue\": \"not-watched\"}");

            String status = "";
            while (!status.equals("completed")) {
                SseClient.Event event = mine.next(WAIT);
                assertThat(event.name()).isEqualTo("status");
                assertThat(json(event).get("id").asText()).isEqualTo(id);
                status = json(event).get("status").asText();
            }
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                SseClient.Event seen = theirs.poll(Duration.ofMillis(200));
                if (seen != null) {
                    assertThat(seen.name()).as("another workspace's stream gets keep-alives and its own counts only")
                            .isIn(":", "counts");
                    if (seen.name().equals("counts")) {
                        assertThat(json(seen).get("queues")).as("none of this workspace's queues").isEmpty();
                    }
                }
            }
        }
    }

    @Test
    void statusChangesAreReadOnlyWhileAWorkspaceStreamIsOpen() throws Exception {
        awaitReading(false);
        try (SseClient stream = SseClient.open(url("/api/v1/events?events=status"), KEY)) {
            assertThat(stream.status()).isEqualTo(200);
            awaitReading(true);
            harness.start("sse-runner");
            String id = enqueue("{\"kind\": \"noop\"}");
            String status = "";
            while (!status.equals("completed")) {
                SseClient.Event event = stream.next(WAIT);
                assertThat(event).as("a status event before the stream ends").isNotNull();
                assertThat(event.name()).isEqualTo("status");
                assertThat(json(event).get("id").asText()).isEqualTo(id);
                status = json(event).get("status").asText();
            }
        }
        // The server sees the client gone at its next write (a keep-alive, 1 s in tests).
        awaitReading(false);
    }

    private void awaitReading(boolean expected) {
        Awaitility.await("status changes read: " + expected).atMost(WAIT)
                .until(() -> statusChanges.readsStatusChanges() == expected);
    }
}
