package dev.harrier.secret;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.Management;
import dev.harrier.testing.SseClient;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets: stored sealed, filled in only for the hosts they allow (every redirect hop), redacted
 * from whatever a server echoes, and found nowhere afterwards: no table, reply, stream or log line.
 */
@QuarkusTest
class SecretsTest {

    /** A quote, a slash, a plus and an equals sign: raw, JSON-escaped, percent and base64 forms all differ. */
    private static final String VALUE = "sk-live\"9f8e7d6c5b4a/+=Q";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL base;

    @Inject
    EngineHarness harness;

    private StubServer stub;
    private final List<String> logLines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logLines) {
                logLines.add(record.getMessage() + " " + (record.getParameters() == null ? "" : List.of(record.getParameters()))
                        + " " + (record.getThrown() == null ? "" : record.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }

    @BeforeEach
    void setUp() throws Exception {
        TestDatabase.clean();
        Logger.getLogger("").addHandler(capture);
        stub = new StubServer()
                // Echoes the key it got in every form the contract lists, and in a header.
                .on("/echo", request -> {
                    String key = request.getHeader("X-Api-Key");
                    String json = key.replace("\\", "\\\\").replace("\"", "\\\"");
                    request.response().putHeader("Content-Type", "application/json").putHeader("X-Echo", key)
                            .end("{\"json\": \"" + json + "\", \"percent\": \"" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                                    + "\", \"base64\": \"" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8))
                                    + "\", \"enriched\": true}");
                })
                .on("/hop", request -> request.response().setStatusCode(302)
                        .putHeader("Location", "http://localhost:" + request.localAddress().port() + "/echo").end());
        api().body("{\"value\": \"" + VALUE.replace("\"", "\\\"") + "\", \"allowedHosts\": [\"127.0.0.1\"], \"kinds\": [\"enrich_account\"]}")
                .put("/api/v1/secrets/APOLLO_KEY").then().statusCode(204);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.stopAll();
        Logger.getLogger("").removeHandler(capture);
        stub.close();
    }

    private static String enqueue(String body) {
        return api().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private static String awaitTerminal(String id) {
        String[] status = new String[1];
        await().atMost(WAIT).until(() -> {
            status[0] = api().get("/api/v1/jobs/" + id).then().extract().path("status");
            return List.of("completed", "failed", "cancelled").contains(status[0]);
        });
        return status[0];
    }

    @Test
    void aSecretReachesItsHostOnlyAndNoEchoOfItIsKeptAnywhere() throws Exception {
        harness.start("secrets");
        String http = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}}");
        String enrich = enqueue("{\"kind\": \"enrich\", \"args\": {\"records\": [{\"id\": 1}, {\"id\": 2}], \"endpoint\": {\"url\": \""
                + stub.url("/echo") + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}}}");
        assertThat(awaitTerminal(http)).isEqualTo("completed");
        assertThat(awaitTerminal(enrich)).isEqualTo("completed");
        assertThat(stub.received()).as("the stub got the value itself").hasSize(3)
                .allSatisfy(r -> assertThat(r.headers().get("x-api-key")).isEqualTo(VALUE));

        String document = api().get("/api/v1/jobs/" + http).then().statusCode(200).extract().asString();
        assertThat(document).contains("{{secret:APOLLO_KEY}}").contains("[secret:APOLLO_KEY]");
        assertThat(api().get("/api/v1/jobs/" + http).then().extract().jsonPath().getString("result.headers.X-Echo"))
                .isEqualTo("[secret:APOLLO_KEY]");
        assertThat(api().get("/api/v1/jobs/" + enrich + "/items").then().extract().asString())
                .as("the echo merged into each record, redacted").contains("\"json\":\"[secret:APOLLO_KEY]\"")
                .contains("\"base64\":\"[secret:APOLLO_KEY]\"").contains("\"percent\":\"[secret:APOLLO_KEY]\"");

        List<String> replies = new ArrayList<>();
        for (String id : List.of(http, enrich)) {
            replies.add(document);
            replies.add(api().get("/api/v1/jobs/" + id).then().extract().asString());
            replies.add(api().get("/api/v1/jobs/" + id + "/items").then().extract().asString());
            replies.add(api().get("/api/v1/jobs/" + id + "/logs").then().extract().asString());
            try (SseClient stream = SseClient.open(base + "api/v1/jobs/" + id + "/events?lastEventId=0",
                    Map.of("Authorization", "Bearer test-key-default"))) {
                stream.untilEnd(WAIT).forEach(event -> replies.add(event.data()));
            }
        }
        replies.add(api().get("/api/v1/jobs").then().extract().asString());
        replies.add(api().get("/api/v1/secrets").then().statusCode(200).body("secrets[0].name", equalTo("APOLLO_KEY")).extract().asString());
        replies.add(Management.given().get("/q/metrics").then().statusCode(200).extract().asString());
        assertNowhere(String.join("\n", replies), "API replies and streams");
        assertNowhere(dumpOfEveryTable(), "the tables of the schema");
        synchronized (logLines) {
            assertNowhere(String.join("\n", logLines), "log lines");
        }
    }

    @Test
    void aBodyGetsTheValueAndItsSignatureIsOfTheBodyAsSent() throws Exception {
        harness.start("secrets");
        stub.on("/signed", request -> request.response().end("ok"));
        String id = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/signed")
                + "\", \"body\": {\"apiKey\": \"{{secret:APOLLO_KEY}}\"}}}");
        assertThat(awaitTerminal(id)).isEqualTo("completed");
        StubServer.Received received = stub.received().get(0);
        assertThat(received.body()).contains("sk-live\\\"9f8e");
        String signature = received.headers().get("harrier-signature");
        String t = signature.replaceAll("^t=(\\d+),.*", "$1");
        String secret = api().get("/api/v1/signing-secret").then().extract().path("secret");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((t + ".http." + received.body()).getBytes(StandardCharsets.UTF_8)));
        assertThat(signature).contains("v1=" + expected);
    }

    @Test
    void aSourceOfItemsThatEchoesTheValueGivesItsChildrenTheNameOnly() {
        stub.on("/users", request -> request.response().putHeader("Content-Type", "application/json")
                .end("[{\"id\": 1, \"token\": \"" + request.getHeader("X-Api-Key").replace("\"", "\\\"") + "\"}]"));
        api().body("{}").put("/api/v1/kinds/user-sync").then().statusCode(201);
        harness.start("secrets");
        String parent = enqueue("{\"kind\": \"each\", \"args\": {\"itemsFrom\": {\"url\": \"" + stub.url("/users")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}, "
                + "\"job\": {\"kind\": \"user-sync\", \"args\": {\"token\": \"{{item.token}}\"}}}}");
        await().atMost(WAIT).until(() -> "waiting".equals(api().get("/api/v1/jobs/" + parent).then().extract().path("status")));
        assertThat(stub.received().get(0).headers().get("x-api-key")).isEqualTo(VALUE);
        assertThat(api().get("/api/v1/jobs?parent=" + parent).then().extract().jsonPath().getString("jobs[0].args.token"))
                .isEqualTo("[secret:APOLLO_KEY]");
    }

    @Test
    void aHostOutsideAllowedHostsFailsTheAttemptForGoodAtEveryHop() {
        harness.start("secrets");
        String direct = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"http://localhost:" + port() + "/echo\", "
                + "\"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}, \"maxAttempts\": 3}");
        String redirected = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/hop")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}, \"maxAttempts\": 3}");
        String scrape = enqueue("{\"kind\": \"scrape\", \"args\": {\"urls\": [\"http://localhost:" + port() + "/echo\"], "
                + "\"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}}");
        for (String id : List.of(direct, redirected, scrape)) {
            assertThat(awaitTerminal(id)).isEqualTo("failed");
            api().get("/api/v1/jobs/" + id).then().body("error.type", equalTo("secret_not_allowed"))
                    .body("attempt", equalTo(1)).body("error.message", containsString("localhost"));
        }
        assertThat(stub.received()).as("the first hop of the redirect only, to an allowed host")
                .extracting(StubServer.Received::path).containsExactly("/hop");
        assertThat(stub.received().get(0).headers().get("x-api-key")).isEqualTo(VALUE);
    }

    @Test
    void unknownNamesAreRefusedAtEnqueueAndADeletedOneFailsTheAttempt() {
        api().body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo") + "\", \"headers\": {\"X-Api-Key\": \"{{secret:NOPE}}\"}}}")
                .post("/api/v1/jobs").then().statusCode(400).body("detail", containsString("NOPE"));
        // Another workspace's secret of the same name is not this one's.
        given().header("Authorization", "Bearer test-key-other").contentType(ContentType.JSON)
                .body("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo") + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}}")
                .post("/api/v1/jobs").then().statusCode(400);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isZero();

        String id = enqueue("{\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}, \"maxAttempts\": 3}");
        api().delete("/api/v1/secrets/APOLLO_KEY").then().statusCode(204);
        api().delete("/api/v1/secrets/APOLLO_KEY").then().statusCode(404);
        harness.start("secrets");
        assertThat(awaitTerminal(id)).isEqualTo("failed");
        api().get("/api/v1/jobs/" + id).then().body("error.type", equalTo("secret_unavailable")).body("attempt", equalTo(1));
        assertThat(stub.received()).isEmpty();
    }

    @Test
    void aSecretAScheduleNamesCannotBeDeletedAndBadPutsAreRefused() {
        api().body("{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:APOLLO_KEY}}\"}}}}").put("/api/v1/schedules/enrich-daily").then().statusCode(201);
        api().body("{\"cron\": \"0 8 * * *\", \"job\": {\"kind\": \"http\", \"args\": {\"url\": \"" + stub.url("/echo")
                + "\", \"headers\": {\"X-Api-Key\": \"{{secret:MISSING}}\"}}}}").put("/api/v1/schedules/broken").then().statusCode(400);
        api().delete("/api/v1/secrets/APOLLO_KEY").then().statusCode(409).body("detail", containsString("enrich-daily"));

        api().body("{\"value\": \"short\"}").put("/api/v1/secrets/SHORT").then().statusCode(400).body("errors[0].field", equalTo("value"));
        api().body("{\"value\": \"long enough value\"}").put("/api/v1/secrets/lower_case").then().statusCode(400)
                .body("errors[0].field", equalTo("name"));
        api().body("{\"value\": \"long enough value\", \"allowedHosts\": [\"http://x.com\"]}").put("/api/v1/secrets/HOSTS").then()
                .statusCode(400).body("errors[0].field", equalTo("allowedHosts[0]"));
        api().body("{\"value\": \"long enough value\", \"extra\": 1}").put("/api/v1/secrets/EXTRA").then().statusCode(400);
        String token = api().body("{}").post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        given().header("Authorization", "Bearer " + token).get("/api/v1/secrets").then().statusCode(403);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.workspace_secrets")).isEqualTo(1);
    }

    @Test
    void aRemoteWorkerReceivesOnlyTheSecretsNamingItsKind() {
        api().body("{\"value\": \"internal-token-123\"}").put("/api/v1/secrets/APP_TOKEN").then().statusCode(204);
        api().body("{}").put("/api/v1/kinds/enrich_account").then().statusCode(201);
        enqueue("{\"kind\": \"enrich_account\", \"args\": {\"apollo\": \"{{secret:APOLLO_KEY}}\", \"app\": \"Bearer {{secret:APP_TOKEN}}\"}}");
        var claimed = api().body("{\"worker\": \"w1\", \"kinds\": [\"enrich_account\"]}").post("/api/v1/workers/claim").then()
                .statusCode(200).extract().jsonPath();
        assertThat(claimed.getString("jobs[0].args.apollo")).isEqualTo(VALUE);
        assertThat(claimed.getString("jobs[0].args.app")).isEqualTo("Bearer {{secret:APP_TOKEN}}");
        assertThat(TestDatabase.queryText("SELECT args::text FROM harrier.jobs")).doesNotContain("sk-live");
    }

    @Test
    void whatARemoteWorkerReportsBackIsRedactedLikeARemoteServersReply() throws Exception {
        api().body("{}").put("/api/v1/kinds/enrich_account").then().statusCode(201);
        api().body("{}").put("/api/v1/kinds/enrich_child").then().statusCode(201);
        String id = enqueue("{\"kind\": \"enrich_account\", \"args\": {\"apollo\": \"{{secret:APOLLO_KEY}}\"}}");
        var claimed = api().body("{\"worker\": \"w1\", \"kinds\": [\"enrich_account\"]}").post("/api/v1/workers/claim").then()
                .statusCode(200).extract().jsonPath();
        String lease = claimed.getString("jobs[0].leaseToken");
        String value = claimed.getString("jobs[0].args.apollo");
        assertThat(value).isEqualTo(VALUE);
        // A careless worker: it puts the value it was given in everything it reports, raw and in the other forms.
        ObjectMapper json = new ObjectMapper();
        String quoted = json.writeValueAsString(value);
        String base64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        String percent = URLEncoder.encode(value, StandardCharsets.UTF_8);
        api().header("Harrier-Lease", lease).body("{\"step\": \"calling\", \"details\": " + json.writeValueAsString("key " + value) + "}")
                .post("/api/v1/jobs/" + id + "/progress").then().statusCode(204);
        api().header("Harrier-Lease", lease).body("{\"logs\": [{\"message\": " + json.writeValueAsString("args: " + value + " " + base64)
                + "}, {\"message\": \"url ?key=" + percent + "\"}]}").post("/api/v1/jobs/" + id + "/logs").then().statusCode(204);
        api().header("Harrier-Lease", lease).body("{\"items\": [{\"index\": 0, \"status\": \"failed\", \"input\": {\"k\": " + quoted
                + "}, \"data\": {\"echo\": " + quoted + "}, \"error\": " + json.writeValueAsString("401 for " + value) + "}]}")
                .post("/api/v1/jobs/" + id + "/items").then().statusCode(204);
        String child = api().header("Harrier-Lease", lease).body("{\"jobs\": [{\"kind\": \"enrich_child\", \"args\": {\"k\": " + quoted
                + "}}]}").post("/api/v1/jobs/" + id + "/children").then().statusCode(201).extract().path("jobs[0].id");
        api().header("Harrier-Lease", lease).body("{\"result\": {\"usedKey\": " + quoted + "}}")
                .post("/api/v1/jobs/" + id + "/complete").then().statusCode(200)
                .body("result.usedKey", equalTo("[secret:APOLLO_KEY]"));
        // A bad body is still a 400, redacted or not.
        api().header("Harrier-Lease", lease).body("{\"logs\": [").post("/api/v1/jobs/" + id + "/logs").then().statusCode(400);

        List<String> replies = new ArrayList<>();
        replies.add(api().get("/api/v1/jobs/" + id).then().extract().asString());
        replies.add(api().get("/api/v1/jobs/" + id + "/items").then().extract().asString());
        String logs = api().get("/api/v1/jobs/" + id + "/logs").then().extract().asString();
        assertThat(logs).contains("args: [secret:APOLLO_KEY] [secret:APOLLO_KEY]").contains("?key=[secret:APOLLO_KEY]");
        replies.add(logs);
        replies.add(api().get("/api/v1/jobs/" + child).then().extract().asString());
        try (SseClient stream = SseClient.open(base + "api/v1/jobs/" + id + "/events?lastEventId=0",
                Map.of("Authorization", "Bearer test-key-default"))) {
            for (int i = 0; i < 3; i++) {
                SseClient.Event event = stream.poll(Duration.ofSeconds(2));
                if (event != null) {
                    replies.add(event.data());
                }
            }
        }
        assertNowhere(String.join("\n", replies), "API replies and streams");
        assertNowhere(dumpOfEveryTable(), "the tables of the schema");
    }

    private int port() {
        return Integer.parseInt(stub.url("/").replaceAll(".*:(\\d+)/$", "$1"));
    }

    private static void assertNowhere(String text, String where) {
        String json = VALUE.replace("\\", "\\\\").replace("\"", "\\\"");
        String percent = URLEncoder.encode(VALUE, StandardCharsets.UTF_8);
        String base64 = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));
        assertThat(text).as(where).isNotBlank()
                .doesNotContain(VALUE).doesNotContain(json).doesNotContain(percent).doesNotContain(base64)
                .doesNotContain("9f8e7d6c5b4a");
    }

    /** Every row of every table of the schema, as text. */
    private static String dumpOfEveryTable() throws Exception {
        StringBuilder dump = new StringBuilder();
        try (Connection connection = TestDatabase.connect(); Statement statement = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'harrier'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("jobs", "job_events", "job_items", "workspace_secrets");
            for (String table : tables) {
                try (ResultSet rs = statement.executeQuery("SELECT t::text FROM harrier." + table + " t")) {
                    while (rs.next()) {
                        dump.append(table).append(": ").append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return dump.toString();
    }
}
