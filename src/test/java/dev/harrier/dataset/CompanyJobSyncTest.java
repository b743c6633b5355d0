package dev.harrier.dataset;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.queue.JobStatus;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's company job sync (seeds/003) on Harrier: each company's file in a storage stub, read
 * by a {@code sync} per company (an {@code each} over the companies), compared by the composite key
 * title-location-company within the company's partition of one dataset, new jobs POSTed to the
 * app's stub; the seed's "Sync Summary" counts are the children's results summed.
 */
@QuarkusTest
class CompanyJobSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EngineHarness harness;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private static String job(String title, String location, String company) {
        return "{\"title\": \"" + title + "\", \"location\": \"" + location + "\", \"company\": \"" + company
                + "\", \"url\": \"https://jobs.example/" + title.replace(' ', '-') + "\"}";
    }

    private Map<String, Long> run(StubServer storage, StubServer app) {
        String parent = api().body("""
                {"kind": "each", "args": {"items": ["Amazon", "Google"], "concurrency": 2,
                 "job": {"kind": "sync", "maxAttempts": 3, "tags": ["company-sync"], "args": {
                   "dataset": "company-jobs", "key": ["title", "location", "company"],
                   "recordsFrom": {"url": "%s/{{item}}.json", "pointer": "/jobs"},
                   "partition": {"company": "{{item}}"},
                   "notify": {"url": "%s", "on": ["new"], "batch": 50}}}}}""".formatted(storage.url("/company-jobs"), app.url("/new-jobs")))
                .post("/api/v1/jobs").then().statusCode(201).extract().path("id");
        harness.awaitStatus(UUID.fromString(parent), JobStatus.COMPLETED, WAIT);
        JsonPath children = api().get("/api/v1/jobs?parent=" + parent).then().extract().jsonPath();
        List<Integer> news = children.getList("jobs.result.new", Integer.class);
        List<Integer> actives = children.getList("jobs.result.active", Integer.class);
        List<Integer> changed = children.getList("jobs.result.changed", Integer.class);
        List<Integer> expired = children.getList("jobs.result.expired", Integer.class);
        return Map.of("companiesProcessed", (long) news.size(),
                "totalNewJobs", news.stream().mapToLong(Integer::longValue).sum(),
                "totalActiveJobs", actives.stream().mapToLong(Integer::longValue).sum()
                        + changed.stream().mapToLong(Integer::longValue).sum(),
                "totalExpiredJobs", expired.stream().mapToLong(Integer::longValue).sum());
    }

    @Test
    void twoSnapshotsOfEachCompanySayWhatIsNewActiveAndExpiredAndTheNewJobsReachTheApp() throws Exception {
        Map<String, String> files = new ConcurrentHashMap<>();
        files.put("Amazon", "{\"jobs\": [" + job("Engineer", "Seattle, WA", "Amazon") + "," + job("Engineer", "Austin, TX", "Amazon")
                + "," + job("Manager", "Seattle, WA", "Amazon") + "]}");
        files.put("Google", "{\"jobs\": [" + job("SRE", "Zurich", "Google") + "," + job("SRE", "Dublin", "Google") + "]}");
        List<String> delivered = new CopyOnWriteArrayList<>();
        try (StubServer storage = new StubServer(); StubServer app = new StubServer()) {
            storage.on("/company-jobs/Amazon.json", r -> r.response().putHeader("Content-Type", "application/json").end(files.get("Amazon")));
            storage.on("/company-jobs/Google.json", r -> r.response().putHeader("Content-Type", "application/json").end(files.get("Google")));
            app.onBody("/new-jobs", (r, body) -> {
                delivered.add(body);
                r.response().end("ok");
            });
            harness.start("a");

            Map<String, Long> first = run(storage, app);
            assertThat(first).containsEntry("companiesProcessed", 2L).containsEntry("totalNewJobs", 5L)
                    .containsEntry("totalActiveJobs", 0L).containsEntry("totalExpiredJobs", 0L);
            assertThat(delivered.stream().mapToInt(b -> new JsonPath(b).getList("records").size()).sum()).isEqualTo(5);

            // Six hours later: Amazon closed the Austin job and opened one in New York; Google is unchanged.
            files.put("Amazon", "{\"jobs\": [" + job("Engineer", "Seattle, WA", "Amazon") + "," + job("Manager", "Seattle, WA", "Amazon")
                    + "," + job("Engineer", "New York, NY", "Amazon") + "]}");
            delivered.clear();
            Map<String, Long> second = run(storage, app);
            assertThat(second).containsEntry("companiesProcessed", 2L).containsEntry("totalNewJobs", 1L)
                    .containsEntry("totalActiveJobs", 4L).containsEntry("totalExpiredJobs", 1L);
            assertThat(delivered).hasSize(1);
            assertThat(new JsonPath(delivered.get(0)).getString("records[0].location")).isEqualTo("New York, NY");
            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.dataset_records WHERE dataset = 'company-jobs' "
                    + "AND state = 'expired' AND data ->> 'location' = 'Austin, TX'")).isEqualTo(1);
        }
    }
}
