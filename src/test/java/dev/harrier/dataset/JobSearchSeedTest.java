package dev.harrier.dataset;

import static dev.harrier.testing.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.harrier.queue.JobStatus;
import dev.harrier.schedule.ScheduleFirer;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's job search for every user (seeds/000) on Harrier: a schedule at the seed's UK times
 * fires an {@code each} over the users with saved searches (served by the app's stub); each user's
 * {@code scrape} of their board keeps a dataset of its own, and the postings that are new since the
 * last run are POSTed to the app, which saves them; a user whose board is down fails alone.
 */
@QuarkusTest
class JobSearchSeedTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ZoneId LONDON = ZoneId.of("Europe/London");

    @Inject
    EngineHarness harness;

    @Inject
    ScheduleFirer firer;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @AfterEach
    void stop() {
        harness.stopAll();
    }

    private static String postings(String... titles) {
        StringBuilder json = new StringBuilder("{\"results\": [");
        for (int i = 0; i < titles.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"title\": \"").append(titles[i]).append("\", \"link\": \"https://board.example/")
                    .append(titles[i].replace(' ', '-')).append("\"}");
        }
        return json.append("]}").toString();
    }

    /** Fires the schedule at its next run (the firer's clock set by the test) and waits for the run to end. */
    private JsonPath fire(Instant at) {
        firer.fireDue(at, Duration.ofSeconds(60)).await().atMost(WAIT);
        String id = TestDatabase.queryText("SELECT id FROM harrier.jobs WHERE schedule = 'job-search' AND scheduled_for = '" + at + "'");
        harness.awaitStatus(UUID.fromString(id), JobStatus.COMPLETED, WAIT);
        return api().get("/api/v1/jobs/" + id).then().extract().jsonPath();
    }

    @Test
    void aScheduledSearchPerUserSavesOnlyNewPostingsAndOneBoardDownFailsAlone() throws Exception {
        Map<String, String> boards = new ConcurrentHashMap<>(Map.of(
                "u1", postings("Java Developer", "Kotlin Developer"),
                "u2", postings("Nurse", "Midwife", "Paramedic")));
        Map<String, List<String>> saved = new ConcurrentHashMap<>();
        try (StubServer app = new StubServer(); StubServer board = new StubServer()) {
            board.on("/search", r -> {
                String body = boards.get(r.getParam("user"));
                if (body == null) {
                    r.response().setStatusCode(503).end("down");
                } else {
                    r.response().putHeader("Content-Type", "application/json").end(body);
                }
            });
            app.on("/api/internal/searches", r -> r.response().putHeader("Content-Type", "application/json").end(
                    "{\"users\": [{\"userId\": \"u1\", \"query\": \"java\"}, {\"userId\": \"u2\", \"query\": \"nurse\"}, "
                            + "{\"userId\": \"u3\", \"query\": \"chef\"}]}"));
            app.onBody("/api/new-jobs", (r, body) -> {
                JsonPath batch = new JsonPath(body);
                saved.computeIfAbsent(batch.getString("dataset"), k -> new CopyOnWriteArrayList<>())
                        .addAll(batch.getList("records.title", String.class));
                r.response().end("saved");
            });
            harness.start("a");

            JsonPath schedule = api().body("""
                    {"cron": ["0 8,10,14,16,22 * * *", "45 16 * * *"], "timeZone": "Europe/London", "description": "job search",
                     "job": {"kind": "each", "args": {
                       "itemsFrom": {"url": "%s", "pointer": "/users"}, "concurrency": 5,
                       "job": {"kind": "scrape", "maxAttempts": 1, "tags": ["user:{{item.userId}}"], "args": {
                         "urlTemplate": "%s?user={user}&q={q}", "params": [{"user": "{{item.userId}}", "q": "{{item.query}}"}],
                         "ratePerHost": {"requests": 2, "perSeconds": 1}, "retries": 0,
                         "extract": {"type": "json", "list": "/results", "fields": {"title": "/title", "url": "/link"}},
                         "dataset": {"name": "search.{{item.userId}}", "key": ["url"],
                                     "notify": {"url": "%s", "on": ["new"], "batch": 50}}}}}}}"""
                    .formatted(app.url("/api/internal/searches"), board.url("/search"), app.url("/api/new-jobs")))
                    .put("/api/v1/schedules/job-search").then().log().ifValidationFails().statusCode(201).extract().jsonPath();
            List<Instant> next = schedule.getList("nextRuns", String.class).stream().map(Instant::parse).toList();
            assertThat(next).allSatisfy(run -> assertThat(List.of("08:00", "10:00", "14:00", "16:00", "16:45", "22:00"))
                    .contains(run.atZone(LONDON).toLocalTime().toString()));

            JsonPath first = fire(next.get(0));
            assertThat(first.getInt("children.total")).isEqualTo(3);
            assertThat(first.getInt("children.completed")).isEqualTo(3);
            assertThat(saved.get("search.u1")).containsExactlyInAnyOrder("Java Developer", "Kotlin Developer");
            assertThat(saved.get("search.u2")).containsExactlyInAnyOrder("Nurse", "Midwife", "Paramedic");
            assertThat(saved).doesNotContainKey("search.u3");
            JsonPath down = api().get("/api/v1/jobs?parent=" + first.getString("id") + "&tag=user:u3").then().extract().jsonPath();
            assertThat(down.getInt("jobs[0].result.failed")).as("u3's board is down").isEqualTo(1);
            assertThat(down.getBoolean("jobs[0].result.dataset.expireSkipped")).isTrue();

            // Later that day: one new posting for u1, one gone for u2; u3's board is back.
            boards.put("u1", postings("Java Developer", "Kotlin Developer", "Scala Developer"));
            boards.put("u2", postings("Nurse", "Midwife"));
            boards.put("u3", postings("Sous Chef"));
            JsonPath second = fire(next.get(1));
            assertThat(second.getInt("children.completed")).isEqualTo(3);
            assertThat(saved.get("search.u1")).as("only what is new reaches the app")
                    .containsExactlyInAnyOrder("Java Developer", "Kotlin Developer", "Scala Developer");
            assertThat(saved.get("search.u2")).hasSize(3);
            assertThat(saved.get("search.u3")).containsExactly("Sous Chef");
            api().get("/api/v1/datasets/search.u2/records?state=expired").then().statusCode(200)
                    .body("records[0].data.title", equalTo("Paramedic"));
            assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE schedule = 'job-search'")).isEqualTo(2);
        }
    }
}
