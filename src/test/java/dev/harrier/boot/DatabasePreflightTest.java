package dev.harrier.boot;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harrier.testing.TestDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the start-up check against the suite's real PostgreSQL and against addresses that fail. */
class DatabasePreflightTest {

    private static final Duration NO_WAIT = Duration.ZERO;

    @Test
    void aReachableDatabasePasses() {
        assertThatCode(() -> DatabasePreflight.check(TestDatabase.url(), NO_WAIT)).doesNotThrowAnyException();
    }

    @Test
    void anUnknownHostIsNamed() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@no-such-host.invalid:5432/db", "HARRIER_DB_URL");

        assertThatThrownBy(() -> DatabasePreflight.check(url, NO_WAIT))
                .isInstanceOf(StartupProblem.class)
                .hasMessageContaining("unknown database host 'no-such-host.invalid'");
    }

    @Test
    void aClosedPortIsReportedAsConnectionRefused() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u@127.0.0.1:" + closedPort + "/db", "HARRIER_DB_URL");

        assertThatThrownBy(() -> DatabasePreflight.check(url, NO_WAIT))
                .hasMessageContaining("connection refused")
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    @Test
    void anUnknownRoleIsALoginProblem() {
        DatabaseUrl real = TestDatabase.url();
        DatabaseUrl url = new DatabaseUrl(real.host(), real.port(), real.database(), "no_such_role", "wrong", null);

        assertThatThrownBy(() -> DatabasePreflight.check(url, NO_WAIT))
                .hasMessageContaining("rejected the login")
                .hasMessageContaining("no_such_role")
                .message().doesNotContain("wrong");
    }

    @Test
    void aMissingDatabaseIsNamed() {
        DatabaseUrl real = TestDatabase.url();
        DatabaseUrl url = new DatabaseUrl(real.host(), real.port(), "no_such_db", real.user(), real.password(), null);

        assertThatThrownBy(() -> DatabasePreflight.check(url, NO_WAIT))
                .hasMessageContaining("no_such_db does not exist");
    }
}
