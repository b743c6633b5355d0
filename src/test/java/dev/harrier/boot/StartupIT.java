package dev.harrier.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.RestAssured;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The packaged jar, started as a user starts it: embedded default, configured database, wrong URLs. */
class StartupIT {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final Pattern EMBEDDED_URL = Pattern.compile("embedded PostgreSQL \\(postgresql://localhost:(\\d+)/harrier");

    @Test
    void withNothingConfiguredItStartsOnTheEmbeddedDatabaseAndASecondStartFindsTheDataOfTheFirst() throws Exception {
        Path dataDir = Files.createTempDirectory("harrier-embedded");
        Map<String, String> env = Map.of("HARRIER_EMBEDDED_DB_DIR", dataDir.toString());

        int firstPort;
        try (HarrierProcess first = HarrierProcess.start(env)) {
            awaitReady(first);
            assertThat(first.output()).contains("for development and evaluation only");
            firstPort = embeddedPort(first);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + firstPort + "/harrier?user=postgres");
                 Statement s = c.createStatement()) {
                s.execute("INSERT INTO harrier.queues (workspace, name, paused) VALUES ('default', 'kept-across-restarts', true)");
            }
            assertThat(first.stop(Duration.ofSeconds(30))).as("SIGTERM ends a graceful stop, status 0").isZero();
        }
        assertThat(portIsOpen(firstPort)).as("the embedded PostgreSQL stops with the service").isFalse();

        try (HarrierProcess second = HarrierProcess.start(env)) {
            awaitReady(second);
            assertThat(second.output()).contains("No migration necessary");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + embeddedPort(second) + "/harrier?user=postgres");
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT paused FROM harrier.queues WHERE name = 'kept-across-restarts'")) {
                assertThat(rs.next()).as("the row written by the first start").isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
            }
            assertThat(second.interrupt(Duration.ofSeconds(30))).as("Ctrl+C ends a graceful stop, status 0").isZero();
        }
        assertThat(portIsOpen(firstPort)).isFalse();
    }

    @Test
    void aSecondStartOnTheEmbeddedDatabaseOfARunningOneSaysSoAndLeavesItRunning() throws Exception {
        Path dataDir = Files.createTempDirectory("harrier-embedded-twice");
        Map<String, String> env = Map.of("HARRIER_EMBEDDED_DB_DIR", dataDir.toString());
        try (HarrierProcess first = HarrierProcess.start(env)) {
            awaitReady(first);
            try (HarrierProcess second = HarrierProcess.start(env)) {
                assertThat(second.awaitExit(Duration.ofSeconds(60))).isNotZero();
                assertThat(second.output()).contains("another Harrier").contains("HARRIER_EMBEDDED_DB_DIR")
                        .doesNotContain("earlier run");
            }
            RestAssured.get(first.managementUrl() + "/q/health/ready").then().statusCode(200);
            first.stop(Duration.ofSeconds(30));
        }
    }

    @Test
    void aConfiguredHarrierDbUrlIsMigratedAndUsed() throws Exception {
        DatabaseUrl server = TestDatabase.url();
        String database = "harrier_it_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        DatabaseUrl target = new DatabaseUrl(server.host(), server.port(), database, server.user(), server.password(), null);
        String url = "postgresql://" + target.user() + (target.password() == null ? "" : ":" + target.password())
                + "@" + target.host() + ":" + target.port() + "/" + database;
        try (HarrierProcess harrier = HarrierProcess.start(Map.of("HARRIER_DB_URL", url))) {
            awaitReady(harrier);
            assertThat(harrier.output()).doesNotContain("embedded PostgreSQL").contains("Successfully applied");
            try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM harrier.jobs")) {
                assertThat(rs.next()).isTrue();
            }
            harrier.stop(Duration.ofSeconds(30));
        } finally {
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Test
    void onSigtermRunningJobsAreHandedBackWithoutBurningAnAttemptAndTheRestFinish() throws Exception {
        Path dataDir = Files.createTempDirectory("harrier-drain");
        Map<String, String> env = Map.of("HARRIER_EMBEDDED_DB_DIR", dataDir.toString(),
                "HARRIER_WORKER_SHUTDOWN_GRACE", "2s");
        try (HarrierProcess harrier = HarrierProcess.start(env)) {
            awaitReady(harrier);
            String jdbc = "jdbc:postgresql://localhost:" + embeddedPort(harrier) + "/harrier?user=postgres";
            try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
                // A long job and a short one, inserted as an enqueue would, then the wake-up.
                s.execute("""
                        INSERT INTO harrier.queues (workspace, name) VALUES ('default', 'default') ON CONFLICT DO NOTHING;
                        INSERT INTO harrier.jobs (id, workspace, queue, kind, status, args, max_attempts, run_at) VALUES
                          ('00000000-0000-7000-8000-00000000000a', 'default', 'default', 'noop', 'pending', '{"sleepMs": 600000}', 5, now()),
                          ('00000000-0000-7000-8000-00000000000b', 'default', 'default', 'noop', 'pending', '{"sleepMs": 500}', 5, now());
                        SELECT pg_notify('harrier_jobs', 'default/default');""");
                await().atMost(Duration.ofSeconds(20)).until(() -> count(s, "status = 'running'") == 2);

                assertThat(harrier.stop(Duration.ofSeconds(30))).isZero();
            }
            assertThat(harrier.output()).contains("Handing 1 unfinished jobs back");
        }
        try (HarrierProcess again = HarrierProcess.start(Map.of("HARRIER_EMBEDDED_DB_DIR", dataDir.toString(),
                "HARRIER_WORKER_ENABLED", "false"))) {
            awaitReady(again);
            String jdbc = "jdbc:postgresql://localhost:" + embeddedPort(again) + "/harrier?user=postgres";
            try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
                assertThat(count(s, "id = '00000000-0000-7000-8000-00000000000b' AND status = 'completed'")).isEqualTo(1);
                assertThat(count(s, "id = '00000000-0000-7000-8000-00000000000a' AND status = 'pending' AND attempt = 0")).isEqualTo(1);
            }
            again.stop(Duration.ofSeconds(30));
        }
    }

    private static long count(Statement s, String where) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM harrier.jobs WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String[]> wrongUrls() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DatabaseUrl db = TestDatabase.url();
        return List.of(
                new String[] {"not a url at all", "is not a URL"},
                new String[] {"postgresql://u:p@no-such-host.invalid:5432/db", "unknown database host 'no-such-host.invalid'"},
                new String[] {"postgresql://u:p@127.0.0.1:" + closedPort + "/db", "connection refused"},
                new String[] {"postgresql://no_such_role:secret-pw@" + db.host() + ":" + db.port() + "/" + db.database(), "rejected the login"});
    }

    @ParameterizedTest
    @MethodSource("wrongUrls")
    void aWrongDatabaseUrlStopsStartUpWithOneReadableLine(String url, String expected) throws Exception {
        try (HarrierProcess harrier = HarrierProcess.start(Map.of("HARRIER_DB_URL", url, "HARRIER_DB_CONNECT_WAIT_SECONDS", "1"))) {
            assertThat(harrier.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            List<String> lines = harrier.output().lines().filter(l -> !l.startsWith("WARNING:")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).startsWith("ERROR [harrier] Cannot start: ").contains(expected).doesNotContain("secret-pw");
        }
    }

    private static void awaitReady(HarrierProcess harrier) {
        harrier.awaitReady(Duration.ofSeconds(60));
    }

    private static int embeddedPort(HarrierProcess harrier) throws Exception {
        Matcher m = EMBEDDED_URL.matcher(harrier.output());
        assertThat(m.find()).as("the embedded database's URL in the log").isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static boolean portIsOpen(int port) {
        try (Socket socket = new Socket("localhost", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
