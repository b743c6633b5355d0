package dev.harrier.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.http.RequestSigner;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.signing.SigningSecrets;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.time.Backoff;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code http} kind against a local stub server (private networks are allowed in tests). */
@QuarkusTest
class HttpKindTest {

    @Inject
    SigningSecrets signing;

    @Inject
    EngineHarness harness;

    private StubServer stub;

    @BeforeEach
    void start() throws Exception {
        TestDatabase.clean();
        stub = new StubServer();
        harness.start("http-runner", b -> b.maintenance(true)
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0)));
    }

    @AfterEach
    void stop() throws Exception {
        harness.stopAll();
        stub.close();
    }

    private Job run(String args, JobStatus expected) {
        EnqueueResult enqueued = harness.submit("http", args);
        return harness.awaitStatus(enqueued.job().id(), expected, Duration.ofSeconds(20));
    }

    @Test
    void aJsonReplyIsTheResultAndTheBodyIsSigned() throws Exception {
        stub.on("/hook", r -> r.response().putHeader("Content-Type", "application/json").end("{\"ok\": true}"));

        Job done = run("{\"url\": \"" + stub.url("/hook") + "\", \"body\": {\"jobId\": 7}, \"headers\": {\"X-Trace\": \"abc\"}}",
                JobStatus.COMPLETED);

        var result = harness.json(done.resultJson());
        assertThat(result.get("status").asInt()).isEqualTo(200);
        assertThat(result.get("body").get("ok").asBoolean()).isTrue();
        assertThat(result.get("durationMs").asLong()).isNotNegative();
        StubServer.Received request = stub.received().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body()).isEqualTo("{\"jobId\":7}");
        assertThat(request.headers()).containsEntry("x-trace", "abc").containsEntry("content-type", "application/json");
        String signature = request.headers().get("harrier-signature");
        long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
        String secret = signing.get("default").await().atMost(Duration.ofSeconds(5)).secret();
        assertThat(secret).startsWith("whsec_");
        assertThat(signature).isEqualTo("t=" + t + ",v1=" + HexFormat.of().formatHex(
                RequestSigner.hmac(secret, "http", t, request.body().getBytes())));
        // Another workspace's secret would not make it.
        String other = signing.get("other-workspace").await().atMost(Duration.ofSeconds(5)).secret();
        assertThat(other).isNotEqualTo(secret);
    }

    @Test
    void serverErrorsAreRetriedUntilTheyPass() {
        AtomicInteger calls = new AtomicInteger();
        stub.on("/flaky", r -> r.response().setStatusCode(calls.incrementAndGet() < 3 ? 503 : 200).end("fine"));

        Job done = run("{\"url\": \"" + stub.url("/flaky") + "\"}", JobStatus.COMPLETED);

        assertThat(done.attempt()).isEqualTo(3);
        assertThat(harness.json(done.resultJson()).get("body").asText()).isEqualTo("fine");
    }

    @Test
    void retryAfterIsHonoured() {
        AtomicInteger calls = new AtomicInteger();
        stub.on("/busy", r -> {
            if (calls.incrementAndGet() == 1) {
                r.response().setStatusCode(429).putHeader("Retry-After", "2").end();
            } else {
                r.response().end("ok");
            }
        });

        Job done = run("{\"url\": \"" + stub.url("/busy") + "\"}", JobStatus.COMPLETED);

        assertThat(done.attempt()).isEqualTo(2);
        assertThat(TestDatabase.queryLong("SELECT (extract(epoch FROM (data ->> 'runAt')::timestamptz - at) * 1000)::bigint "
                + "FROM harrier.job_events WHERE job_id = '" + done.id() + "' AND data ->> 'status' = 'retrying'"))
                .isBetween(1500L, 2100L);
    }

    @Test
    void otherClientErrorsFailTheJobAtOnce() {
        stub.on("/gone", r -> r.response().setStatusCode(410).end());

        Job failed = run("{\"url\": \"" + stub.url("/gone") + "\"}", JobStatus.FAILED);

        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(failed.error().type()).isEqualTo("http_status");
        assertThat(failed.error().message()).contains("HTTP 410");
        assertThat(stub.count("/gone")).isEqualTo(1);
    }

    @Test
    void aFailedReplysBodyIsKeptInTheErrorAndTheTypeSaysWhatFailed() {
        stub.on("/crash", r -> r.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                .end("{\"error\": \"jobspy crashed for user 7\"}\n" + "x".repeat(2_000)));

        Job failed = run("{\"url\": \"" + stub.url("/crash") + "\"}", JobStatus.FAILED);

        assertThat(failed.error().type()).isEqualTo("http_status");
        assertThat(failed.error().message()).startsWith("HTTP 500 from 127.0.0.1: {\"error\": \"jobspy crashed for user 7\"}")
                .hasSizeLessThan(600);
        Job refused = run("{\"url\": \"http://169.254.169.254/latest/meta-data/\"}", JobStatus.FAILED);
        assertThat(refused.error().type()).isEqualTo("refused");
        assertThat(refused.attempt()).isEqualTo(1);
    }

    @Test
    void aStringBodyWithANonJsonContentTypeIsSentAsItIsAndAFormIsFormEncoded() {
        stub.on("/text", r -> r.response().end("ok"));

        run("{\"url\": \"" + stub.url("/text") + "\", \"method\": \"POST\", \"headers\": {\"Content-Type\": \"text/plain\"}, "
                + "\"body\": \"hello \\\"world\\\"\"}", JobStatus.COMPLETED);
        run("{\"url\": \"" + stub.url("/text") + "\", \"form\": {\"name\": \"Ada Lovelace\", \"tag\": [\"a&b\", 2], \"ok\": true}}",
                JobStatus.COMPLETED);
        run("{\"url\": \"" + stub.url("/text") + "\", \"method\": \"POST\", \"body\": \"quoted\"}", JobStatus.COMPLETED);

        assertThat(stub.received().get(0).body()).isEqualTo("hello \"world\"");
        assertThat(stub.received().get(0).headers()).containsEntry("content-type", "text/plain");
        assertThat(stub.received().get(1).method()).isEqualTo("POST");
        // Stored as jsonb, the form's fields keep no order; an array's values do.
        assertThat(stub.received().get(1).body().split("&")).containsExactlyInAnyOrder("name=Ada+Lovelace", "tag=a%26b", "tag=2", "ok=true");
        assertThat(stub.received().get(1).body()).contains("tag=a%26b&tag=2");
        assertThat(stub.received().get(1).headers()).containsEntry("content-type", "application/x-www-form-urlencoded");
        assertThat(stub.received().get(2).body()).as("without a Content-Type, a string is JSON").isEqualTo("\"quoted\"");
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"http://x/\", \"body\": {}, "
                + "\"form\": {\"a\": 1}}")).hasMessageContaining("form");
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"http://x/\", "
                + "\"form\": {\"a\": {\"b\": 1}}}")).hasMessageContaining("form.a");
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"http://x/\", \"method\": \"GET\", "
                + "\"form\": {\"a\": 1}}")).hasMessageContaining("form");
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"http://x/\", "
                + "\"form\": {\"a\": []}}")).hasMessageContaining("form.a");
    }

    @Test
    void redirectsAreFollowedAndAPostBecomesAGetOn303() {
        stub.on("/old", r -> r.response().setStatusCode(303).putHeader("Location", "/new").end());
        stub.on("/new", r -> r.response().end(r.method().name()));

        Job done = run("{\"url\": \"" + stub.url("/old") + "\", \"method\": \"POST\", \"body\": {}}", JobStatus.COMPLETED);

        assertThat(harness.json(done.resultJson()).get("body").asText()).isEqualTo("GET");
    }

    @Test
    void anOversizedBodyIsCutAtTheLimitAndNotReadOn() throws Exception {
        // A body of up to 4 GB, written as fast as the client reads it: the client keeps 1 MB,
        // then resets the connection instead of reading (and dropping) the rest.
        AtomicLong written = new AtomicLong();
        CountDownLatch closed = new CountDownLatch(1);
        stub.on("/big", r -> {
            r.connection().closeHandler(v -> closed.countDown());
            r.response().setChunked(true).putHeader("Content-Type", "text/plain");
            new Object() {
                final Buffer chunk = Buffer.buffer("a".repeat(64 * 1024));

                void pump() {
                    while (!r.response().closed() && !r.response().writeQueueFull() && written.get() < (4L << 30)) {
                        r.response().write(chunk);
                        written.addAndGet(chunk.length());
                    }
                    if (!r.response().closed() && written.get() < (4L << 30)) {
                        r.response().drainHandler(v -> pump());
                    }
                }
            }.pump();
        });

        Job done = run("{\"url\": \"" + stub.url("/big") + "\"}", JobStatus.COMPLETED);

        var result = harness.json(done.resultJson());
        assertThat(result.get("truncated").asBoolean()).isTrue();
        assertThat(result.get("body").asText()).hasSize(1_048_576);
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the connection was reset").isTrue();
        assertThat(written.get()).as("bytes the stub got to write").isLessThan(256L << 20);
    }

    @Test
    void aBodyThatDribblesPastTheTimeoutFailsTheAttemptAndResetsTheConnection() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        stub.on("/slow", r -> {
            r.connection().closeHandler(v -> closed.countDown());
            r.response().setChunked(true).write("first bytes");
            Vertx vertx = Vertx.currentContext().owner();
            AtomicInteger ticks = new AtomicInteger();
            vertx.setPeriodic(100, id -> {
                if (r.response().closed() || ticks.incrementAndGet() > 300) {
                    vertx.cancelTimer(id);
                    if (!r.response().closed()) {
                        r.response().end();
                    }
                } else {
                    r.response().write(".");
                }
            });
        });

        EnqueueResult enqueued = harness.submit(new JobRequest("http", null,
                harness.json("{\"url\": \"" + stub.url("/slow") + "\", \"timeoutMs\": 500}"), null, null, 1, null, null, null, null));
        Job failed = harness.awaitStatus(enqueued.job().id(), JobStatus.FAILED, Duration.ofSeconds(20));

        assertThat(failed.error().message()).contains("within 500 ms");
        // Without the reset, the stub would dribble on for 30 s on a kept-alive connection.
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the connection was reset at the deadline").isTrue();
    }

    @Test
    void argumentsAreChecked() {
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"ftp://x/y\"}"))
                .hasMessageContaining("url");
        Assertions.assertThatThrownBy(() -> harness.submit("http", "{\"url\": \"http://x/\", \"method\": \"BREW\"}"))
                .hasMessageContaining("method");
    }
}
