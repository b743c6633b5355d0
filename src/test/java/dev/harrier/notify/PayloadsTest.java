package dev.harrier.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What the SQL notify functions send is what the Java codecs read, on the channels the enum
 * names; and no statement of the service sends a notification any other way.
 */
@QuarkusTest
class PayloadsTest {

    private Connection listening;

    @BeforeEach
    void listen() throws SQLException {
        listening = TestDatabase.connect();
        try (Statement s = listening.createStatement()) {
            for (Channel channel : Channel.values()) {
                s.execute("LISTEN " + channel.sqlName());
            }
        }
    }

    @AfterEach
    void close() throws SQLException {
        listening.close();
    }

    @Test
    void jobsAndQueuesAreAnnouncedOncePerDistinctQueueKey() throws SQLException {
        assertThat(call("SELECT harrier.notify_jobs(ARRAY['ws-a', 'ws-a', 'ws-b'], ARRAY['mail', 'mail', 'mail'])")).isEqualTo(2);
        assertThat(call("SELECT harrier.notify_queues(ARRAY['ws-a'], ARRAY['mail'])")).isEqualTo(1);

        List<PGNotification> heard = heard(3);
        assertThat(heard).filteredOn(n -> n.getName().equals(Channel.JOBS.sqlName())).extracting(PGNotification::getParameter)
                .containsExactlyInAnyOrder(Payloads.queueKey("ws-a", "mail"), Payloads.queueKey("ws-b", "mail"));
        assertThat(heard).filteredOn(n -> n.getName().equals(Channel.QUEUES.sqlName())).extracting(PGNotification::getParameter)
                .containsExactly(Payloads.queueKey("ws-a", "mail"));
    }

    @Test
    void aWakeUpFromAnInstanceThatWokeItselfNamesItsOriginAfterTheKey() throws SQLException {
        String origin = UUID.randomUUID().toString();
        assertThat(call("SELECT harrier.notify_jobs_from(ARRAY['ws-a', 'ws-a'], ARRAY['mail', 'mail'], '" + origin + "')"))
                .isEqualTo(1);

        PGNotification notification = heard(1).get(0);
        assertThat(notification.getName()).isEqualTo(Channel.JOBS.sqlName());
        assertThat(Payloads.origin(notification.getParameter())).isEqualTo(origin);
        assertThat(Payloads.withoutOrigin(notification.getParameter())).isEqualTo(Payloads.queueKey("ws-a", "mail"));
        // A key alone names none, even one whose workspace holds a space.
        assertThat(Payloads.origin(Payloads.queueKey("ws a", "mail"))).isNull();
        assertThat(Payloads.withoutOrigin(Payloads.queueKey("ws a", "mail"))).isEqualTo("ws a/mail");
    }

    @Test
    void noRowsSendNothing() throws SQLException {
        assertThat(call("SELECT harrier.notify_jobs(NULL, NULL) + harrier.notify_queues(NULL, NULL) "
                + "+ harrier.notify_cancel(NULL) + harrier.notify_events(NULL, NULL) "
                + "+ harrier.notify_jobs_from(NULL, NULL, 'x')")).isZero();
        assertThat(heard(0)).isEmpty();
    }

    @Test
    void aCancellationCarriesTheJobId() throws SQLException {
        UUID id = UUID.randomUUID();
        assertThat(call("SELECT harrier.notify_cancel(ARRAY['" + id + "'::uuid, '" + id + "'::uuid])")).isEqualTo(1);

        PGNotification notification = heard(1).get(0);
        assertThat(notification.getName()).isEqualTo(Channel.CANCEL.sqlName());
        assertThat(Payloads.jobId(notification.getParameter())).contains(id);
        assertThat(Payloads.jobId("not-a-job")).isEmpty();
    }

    @Test
    void manyEventReferencesAreSplitIntoPayloadsThatParseBackInOrder() throws SQLException {
        List<UUID> ids = IntStream.range(0, 500).mapToObj(i -> UUID.randomUUID()).toList();
        String idArray = ids.stream().map(id -> "'" + id + "'::uuid").collect(Collectors.joining(",", "ARRAY[", "]"));
        String seqArray = IntStream.range(0, 500).mapToObj(i -> i + "::bigint").collect(Collectors.joining(",", "ARRAY[", "]"));
        assertThat(call("SELECT harrier.notify_events(" + idArray + ", " + seqArray + ")")).isEqualTo(500);

        // 150 a payload: four, sent in order.
        List<PGNotification> heard = heard(4);
        assertThat(heard).extracting(PGNotification::getName).containsOnly(Channel.EVENTS.sqlName());
        List<EventRef> refs = heard.stream().flatMap(n -> EventRef.parse(n.getParameter()).stream()).toList();
        assertThat(refs).containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> new EventRef(ids.get(i), i)).toList());
    }

    @Test
    void noStatementOfTheServiceNotifiesButThroughTheFunctions() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            List<Path> notifying = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).matches("(?s).*(pg_notify\\s*\\(|NOTIFY\\s+harrier_).*")).toList();
            assertThat(notifying).isEmpty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long call(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits for {@code expected} notifications (and half a second more, to see that no other comes). */
    private List<PGNotification> heard(int expected) throws SQLException {
        PGConnection pg = listening.unwrap(PGConnection.class);
        List<PGNotification> heard = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (heard.size() < expected && System.nanoTime() < deadline) {
            PGNotification[] batch = pg.getNotifications(200);
            heard.addAll(batch == null ? List.of() : List.of(batch));
        }
        PGNotification[] more = pg.getNotifications(500);
        heard.addAll(more == null ? List.of() : List.of(more));
        return heard;
    }
}
