package dev.harrier.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.worker.Engine;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code scrape} kind against a local stub that adds latency and counts concurrency. */
@QuarkusTest
class ScrapeKindTest {

    @Inject
    EngineHarness harness;

    private StubServer stub;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        TestDatabase.clean();
        stub = new StubServer();
        stub.on("/page", r -> {
            arrivals.add(System.nanoTime());
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            r.response().putHeader("Content-Type", "text/html");
            Vertx.currentContext().owner().setTimer(50, t -> {
                inFlight.decrementAndGet();
                r.response().end("<ul><li class=job><h2>Dev " + r.getParam("n") + "</h2><a href=/jobs/" + r.getParam("n")
                        + ">see</a></li><li class=job><h2>Ops</h2><a href=/jobs/x>see</a></li></ul>");
            });
        });
        stub.on("/api", r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"data\": {\"items\": [{\"name\": \"a\", \"id\": 1}, {\"name\": \"b\", \"id\": 2}]}}"));
        stub.on("/broken", r -> r.response().setStatusCode(500).end());
        harness.start("scraper", b -> b.slots(4));
    }

    @AfterEach
    void stop() throws Exception {
        harness.stopAll();
        stub.close();
    }

    private Job scrape(String args) {
        EnqueueResult enqueued = harness.submit("scrape", args);
        return harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(60));
    }

    private String pages(int n) {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add("\"" + stub.url("/page?n=" + i) + "\"");
        }
        return String.join(",", urls);
    }

    @Test
    void concurrencyPerHostIsNeverExceededAndEveryUrlIsAnItemWithItsRecords() {
        Job done = scrape("{\"urls\": [" + pages(30) + "], \"concurrency\": 10, \"perHostConcurrency\": 3,"
                + " \"extract\": {\"type\": \"html\", \"list\": \"li.job\", \"fields\": {\"title\": \"h2\", \"url\": \"a@href\"}}}");

        assertThat(peak.get()).isBetween(2, 3);
        JsonNode result = harness.json(done.resultJson());
        assertThat(result.get("total").asInt()).isEqualTo(30);
        assertThat(result.get("ok").asInt()).isEqualTo(30);
        assertThat(result.get("records").asInt()).isEqualTo(60);
        String data = TestDatabase.queryText("SELECT data::text FROM harrier.job_items WHERE job_id = '" + done.id() + "' AND idx = 7");
        JsonNode records = harness.json(data);
        assertThat(records.get(0).get("title").asText()).isEqualTo("Dev 7");
        assertThat(records.get(0).get("url").asText()).isEqualTo(stub.url("/jobs/7"));
    }

    @Test
    void aScrapeResumedAfterARestartCountsEveryItemInItsResult() {
        harness.stopAll();
        Engine first = harness.start("before-restart", b -> b.shutdownGrace(Duration.ofMillis(100)));
        EnqueueResult enqueued = harness.submit("scrape", "{\"urls\": [" + pages(40) + "], \"concurrency\": 2,"
                + " \"extract\": {\"type\": \"html\", \"list\": \"li.job\", \"fields\": {\"title\": \"h2\"}}}");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> TestDatabase.queryLong(
                "SELECT count(*) FROM harrier.job_items WHERE job_id = '" + enqueued.job().id() + "'") >= 10);
        harness.stop(first);
        long before = TestDatabase.queryLong("SELECT count(*) FROM harrier.job_items WHERE job_id = '" + enqueued.job().id() + "'");
        assertThat(before).as("the restart came in the middle of the job").isBetween(10L, 39L);

        harness.start("after-restart");
        Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(60));

        JsonNode result = harness.json(done.resultJson());
        assertThat(result.get("total").asInt()).isEqualTo(40);
        assertThat(result.get("ok").asInt()).as("items finished before the restart count too").isEqualTo(40);
        assertThat(result.get("failed").asInt()).isZero();
        assertThat(result.get("records").asInt()).isEqualTo(80);
    }

    @Test
    void theJobsConcurrencyBoundsRequestsToo() {
        scrape("{\"urls\": [" + pages(20) + "], \"concurrency\": 2, \"perHostConcurrency\": 10}");

        assertThat(peak.get()).isBetween(1, 2);
    }

    @Test
    void requestsPerHostStayWithinTheRate() {
        scrape("{\"urls\": [" + pages(10) + "], \"concurrency\": 10, \"perHostConcurrency\": 10,"
                + " \"ratePerHost\": {\"requests\": 5, \"perSeconds\": 1}}");

        // Requests leave one every 200 ms; they are seen at the stub, where a request that left on
        // time can arrive a few ms after one that was delayed. So: at most one more than the rate
        // in any second, and ten requests spread over about 1.8 s (without the limit they
        // arrive within milliseconds of each other).
        List<Long> sorted = new ArrayList<>(arrivals);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(10);
        for (int i = 0; i < sorted.size(); i++) {
            int inWindow = 0;
            for (long t : sorted) {
                if (t >= sorted.get(i) && t < sorted.get(i) + 1_000_000_000L) {
                    inWindow++;
                }
            }
            assertThat(inWindow).as("requests in the second after request %d", i).isLessThanOrEqualTo(6);
        }
        assertThat(sorted.get(9) - sorted.get(0)).as("first to last request, ns").isGreaterThanOrEqualTo(1_500_000_000L);
    }

    @Test
    void aUrlThatKeepsFailingIsOneFailedItemAndTheJobCompletes() {
        Job done = scrape("{\"urls\": [\"" + stub.url("/api") + "\", \"" + stub.url("/broken") + "\"], \"retries\": 2,"
                + " \"extract\": {\"type\": \"json\", \"list\": \"/data/items\", \"fields\": {\"name\": \"/name\"}}}");

        JsonNode result = harness.json(done.resultJson());
        assertThat(result.get("ok").asInt()).isEqualTo(1);
        assertThat(result.get("failed").asInt()).isEqualTo(1);
        assertThat(stub.count("/broken")).isEqualTo(3);
        assertThat(TestDatabase.queryText("SELECT error || ' after ' || attempts FROM harrier.job_items WHERE job_id = '"
                + done.id() + "' AND idx = 1")).isEqualTo("HTTP 500 after 3");
        JsonNode records = harness.json(TestDatabase.queryText("SELECT data::text FROM harrier.job_items WHERE job_id = '"
                + done.id() + "' AND idx = 0"));
        assertThat(records).hasSize(2);
        assertThat(records.get(1).get("name").asText()).isEqualTo("b");
        String log = TestDatabase.queryText("SELECT string_agg(data ->> 'level' || ' ' || (data ->> 'message'), ' | ' ORDER BY seq) "
                + "FROM harrier.job_events WHERE type = 'log' AND job_id = '" + done.id() + "'");
        assertThat(log).as("its start, each failed item and its summary")
                .contains("info fetching 2 of 2 items")
                .contains("warn item 1 (" + stub.url("/broken") + ") failed after 3 tries: HTTP 500")
                .contains("info finished: 1 ok, 1 failed of 2 items");
    }

    @Test
    void onlyTheFirstTwentyFailedItemsAreLoggedOneByOne() {
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            // 404s: failed items, but not a failing host (which the host limiter would slow down).
            broken.add("\"" + stub.url("/missing") + "?n=" + i + "\"");
        }
        Job done = scrape("{\"urls\": [" + String.join(",", broken) + "], \"retries\": 0, \"concurrency\": 5}");

        assertThat(harness.json(done.resultJson()).get("failed").asInt()).isEqualTo(25);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'log' AND data ->> 'level' = 'warn' "
                + "AND job_id = '" + done.id() + "'")).isEqualTo(20);
        assertThat(TestDatabase.queryText("SELECT data ->> 'message' FROM harrier.job_events WHERE type = 'log' AND job_id = '"
                + done.id() + "' ORDER BY seq DESC LIMIT 1")).isEqualTo("finished: 0 ok, 25 failed of 25 items");
    }

    @Inject
    JobActions actions;

    @Test
    void afterACancelIsProcessedTheStubReceivesNoNewRequest() throws Exception {
        EnqueueResult enqueued = harness.submit("scrape", "{\"urls\": [" + pages(60) + "], \"concurrency\": 2}");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stub.count("/page") >= 6);

        actions.cancel("default", enqueued.job().id()).await().atMost(Duration.ofSeconds(10));
        harness.awaitStatus(enqueued.job().id(), JobStatus.CANCELLED, Duration.ofSeconds(20));
        int atCancel = stub.count("/page");
        Thread.sleep(500);

        assertThat(stub.count("/page")).isEqualTo(atCancel).isLessThan(60);
    }

    @Test
    void aCancelAbandonsTheRequestsInFlight() throws Exception {
        CountDownLatch closed = new CountDownLatch(4);
        stub.on("/hang", r -> r.connection().closeHandler(v -> closed.countDown()));
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            urls.add("\"" + stub.url("/hang?n=" + i) + "\"");
        }
        EnqueueResult enqueued = harness.submit("scrape", "{\"urls\": [" + String.join(",", urls) + "],"
                + " \"concurrency\": 4, \"timeoutMs\": 60000, \"retries\": 0}");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stub.count("/hang") == 4);

        actions.cancel("default", enqueued.job().id()).await().atMost(Duration.ofSeconds(10));
        harness.awaitStatus(enqueued.job().id(), JobStatus.CANCELLED, Duration.ofSeconds(20));

        // The stub never answers: only a reset by the client closes these connections.
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("all four connections reset").isTrue();
    }

    @Test
    void fetchingWaitsWhileTooManyResultsAreUnwritten() throws Exception {
        stub.on("/fast", r -> r.response().end("ok"));
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            urls.add("\"" + stub.url("/fast?n=" + i) + "\"");
        }
        try (Connection blocker = TestDatabase.connect()) {
            // Item rows cannot be written while this transaction holds the table.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE harrier.job_items IN EXCLUSIVE MODE");
            EnqueueResult enqueued = harness.submit("scrape", "{\"urls\": [" + String.join(",", urls) + "], \"concurrency\": 2}");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stub.count("/fast") >= 8);
            Thread.sleep(1_000);

            // concurrency 2: at most 4 x 2 results fetched and not yet stored.
            assertThat(stub.count("/fast")).isEqualTo(8);
            blocker.rollback();

            Job done = harness.awaitStatus(enqueued.job().id(), JobStatus.COMPLETED, Duration.ofSeconds(60));
            assertThat(harness.json(done.resultJson()).get("ok").asInt()).isEqualTo(100);
        }
    }

    @Test
    void urlsCanBeGeneratedFromATemplate() {
        Job done = scrape("{\"urlTemplate\": \"" + stub.url("/page?n={n}&q={q}") + "\", \"params\": [{\"n\": 1, \"q\": \"java dev\"}, {\"n\": 2, \"q\": \"go\"}]}");

        assertThat(harness.json(done.resultJson()).get("ok").asInt()).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT input FROM harrier.job_items WHERE job_id = '" + done.id() + "' AND idx = 0"))
                .isEqualTo(stub.url("/page?n=1&q=java+dev"));
    }

    @Test
    void aPageWithNulCharactersIsStoredWithoutThem() {
        stub.on("/nul", r -> r.response().putHeader("Content-Type", "text/plain").end("be\0fore"));

        Job done = scrape("{\"urls\": [\"" + stub.url("/nul") + "\", \"" + stub.url("/page?n=1") + "\"], \"extract\": {\"type\": \"raw\"}}");

        assertThat(harness.json(done.resultJson()).get("ok").asInt()).isEqualTo(2);
        assertThat(TestDatabase.queryText("SELECT data::text FROM harrier.job_items WHERE job_id = '" + done.id() + "' AND idx = 0"))
                .contains("before");
    }
}
