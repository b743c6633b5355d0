package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.JobsChannel;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A queue's global concurrency as permits each instance holds (V18), on PostgreSQL. */
@QuarkusTest
class QueueHoldsTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    JobClaimer claimer;

    @Inject
    QueueHolds holds;

    @Inject
    JobSubmitter submitter;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private void enqueue(int count) throws Exception {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(new JobRequest("noop", "limited", mapper.readTree("{}"), null, null, null, null, null, null, null));
        }
        submitter.submit("default", requests).await().indefinitely();
    }

    /** A claim of up to 100 jobs under a limit of 3 by {@code owner}, which runs {@code inUse} handlers. */
    private Claim claim(String owner, int inUse, int supplied, int ahead) {
        return claimer.claimHeld("default", "limited", 100, owner, LEASE, new QueueHolds.Ask(3, 3, inUse, supplied, ahead))
                .await().indefinitely();
    }

    private QueueHolds.Held hold(String owner, int need, int inUse) {
        return holds.hold("default", "limited", owner, LEASE, new QueueHolds.Ask(3, need, inUse, 0, 0)).await().indefinitely();
    }

    @Test
    void anInstanceClaimsAheadOfItsPermitsAndAnotherGetsNoneOfThemButWaitsForItsShare() throws Exception {
        enqueue(10);

        Claim a = claim("instance-a", 0, 0, 2);
        assertThat(a.held().granted()).as("all three permits").isEqualTo(3);
        assertThat(a.jobs()).as("a job a permit, and two ahead of them").hasSize(5);
        assertThat(a.atLimit()).as("its permits, not an empty queue, stopped it").isTrue();

        Claim b = claim("instance-b", 0, 0, 2);
        assertThat(b.held().granted()).as("instance-a holds every permit").isZero();
        assertThat(b.jobs()).isEmpty();
        assertThat(b.atLimit()).isTrue();
        assertThat(TestDatabase.queryLong("SELECT waiting FROM harrier.queue_holds WHERE instance = 'instance-b'"))
                .as("jobs are pending: it waits for three").isEqualTo(3);

        Claim again = claim("instance-a", 3, 2, 2);
        assertThat(again.held()).as("its handlers keep their permits; its share is half of three now")
                .isEqualTo(new QueueHolds.Held(3, 2));
        assertThat(again.jobs()).as("no permit free, two already waiting").isEmpty();
    }

    @Test
    void permitsHandedBackWhileAnotherInstanceWaitsWakeItsQueueAndGoToIt() throws Exception {
        enqueue(10);
        claim("instance-a", 0, 0, 0);
        claim("instance-b", 0, 0, 0);

        try (Connection listening = JobsChannel.listen()) {
            assertThat(hold("instance-a", 1, 1)).as("one handler still runs").isEqualTo(new QueueHolds.Held(1, 2));
            assertThat(JobsChannel.heard(listening)).as("instance-b waits: the queue is woken").containsExactly("default/limited");

            Claim b = claim("instance-b", 0, 0, 0);
            assertThat(b.held().granted()).isEqualTo(2);
            assertThat(b.jobs()).hasSize(2);

            hold("instance-b", 2, 2);
            assertThat(JobsChannel.heard(listening)).as("nothing handed back, no one woken").isEmpty();
        }
    }

    @Test
    void noPermitIsHeldForJobsThatAreNotThereAndNoOneWaitsForThem() throws Exception {
        Claim empty = claim("instance-a", 0, 0, 0);
        assertThat(empty.held().granted()).isZero();
        assertThat(empty.atLimit()).as("the queue is empty, not held back").isFalse();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.queue_holds")).as("no hold, no waiting").isZero();

        enqueue(1);
        assertThat(claim("instance-a", 0, 0, 0).jobs()).hasSize(1);
        assertThat(hold("instance-a", 3, 1)).as("only the running job's").isEqualTo(new QueueHolds.Held(1, 3));
        assertThat(hold("instance-a", 0, 0).granted()).isZero();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.queue_holds")).as("handed back: the row goes").isZero();
    }

    @Test
    void aLapsedHoldNoLongerCountsButItsRunningJobsDoUntilRescued() throws Exception {
        enqueue(10);
        claim("instance-a", 0, 0, 0);
        TestDatabase.execute("UPDATE harrier.queue_holds SET expires_at = now() - interval '1 second'");

        assertThat(claim("instance-b", 0, 0, 0).jobs()).as("the dead instance's three jobs still run").isEmpty();
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'retrying', lease_owner = NULL "
                + "WHERE id = (SELECT id FROM harrier.jobs WHERE status = 'running' LIMIT 1)");
        assertThat(claim("instance-b", 0, 0, 0).jobs()).as("one was rescued").hasSize(1);
    }

    @Test
    void aRemoteWorkersRoomIsWhatThePermitsAndTheRemoteJobsLeave() throws Exception {
        enqueue(10);
        claimer.claimHeld("default", "limited", 100, "instance-a", LEASE, new QueueHolds.Ask(3, 2, 0, 0, 0)).await().indefinitely();
        assertThat(room()).as("instance-a holds two of three").isEqualTo(1);

        TestDatabase.execute("UPDATE harrier.jobs SET status = 'running', lease_owner = 'py-worker', lease_token_hash = '\\x01' "
                + "WHERE id = (SELECT id FROM harrier.jobs WHERE status = 'pending' LIMIT 1)");
        assertThat(room()).as("a remote job runs too").isZero();
        assertThat(hold("instance-a", 3, 2).granted()).as("the remote job counts against the instance's permits").isEqualTo(2);
    }

    private static long room() {
        return TestDatabase.queryLong("SELECT harrier.queue_room('default', 'limited', 3, '{}')");
    }
}
