package dev.harrier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.Management;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every pool connection stuck in a statement that does not return (here: waiting on a lock held
 * by the test; a stalled server looks the same from the pool): requests beyond the pool are
 * refused with 503 and Retry-After after the bounded pool wait, and readiness still answers at
 * once, since it never asks through the pool.
 */
@QuarkusTest
class ExhaustedPoolTest {

    private static final int POOL_SIZE = 20;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    @Test
    void requestsBeyondAStuckPoolGet503WithRetryAfterAndReadinessAnswersAtOnce() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
        try (Connection lock = TestDatabase.connect(); Statement s = lock.createStatement()) {
            lock.setAutoCommit(false);
            s.execute("LOCK TABLE harrier.jobs IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < POOL_SIZE + 5; i++) {
                stuck.add(client.sendAsync(get("/api/v1/jobs", Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofString()));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabase.queryLong(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") >= POOL_SIZE);

            // The pool's own default wait is 30 s: this client would give up long before it.
            HttpResponse<String> refused = client.send(get("/api/v1/jobs/" + UUID.randomUUID(), Duration.ofSeconds(15)),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(refused.body()).contains("\"status\":503").contains("try again");

            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + Management.port() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("readiness does not wait for the pool: %s", ready.body()).isEqualTo(200);
            lock.rollback();
        }
        for (CompletableFuture<HttpResponse<String>> request : stuck) {
            assertThat(request.get().statusCode()).as("the requests that held a connection").isIn(200, 503);
        }
        assertThat(stuck.stream().filter(r -> r.join().statusCode() == 200).count()).isGreaterThanOrEqualTo(POOL_SIZE - 2);
    }

    private HttpRequest get(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer test-key-default")
                .timeout(timeout).build();
    }
}
