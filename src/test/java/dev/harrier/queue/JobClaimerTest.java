package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.sql.Table;
import dev.harrier.testing.CommitModes;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The claim statement on its own: order, limits, locks and the lease it writes. */
@QuarkusTest
class JobClaimerTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    JobClaimer claimer;

    @Inject
    JobSubmitter submitter;

    @Inject
    ObjectMapper mapper;

    @Inject
    Pool pool;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private List<UUID> enqueue(String queue, int priority, int count) throws Exception {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(new JobRequest("noop", queue, mapper.readTree("{}"), priority, null, null, null, null, null, null));
        }
        return submitter.submit("default", requests).await().indefinitely().stream().map(r -> r.job().id()).toList();
    }

    private static final UUID[] NONE = new UUID[0];

    private List<ClaimedJob> claim(String queue, int limit, Integer concurrency, String owner) {
        return claimer.claim("default", queue, limit, concurrency, owner, LEASE, NONE).await().indefinitely().jobs();
    }

    @Test
    void theMostUrgentJobsOfTheQueueAreClaimedUpToTheLimitWithTheirLeaseAndAttempt() throws Exception {
        List<UUID> low = enqueue("mail", 5, 3);
        List<UUID> urgent = enqueue("mail", 0, 2);
        enqueue("other", 0, 3);

        List<ClaimedJob> claimed = claim("mail", 3, null, "instance-a");

        // Jobs of one batch share their run_at; among them the order is the ids'.
        assertThat(claimed).extracting(ClaimedJob::id).hasSize(3).containsAll(urgent)
                .anySatisfy(id -> assertThat(low).contains(id));
        assertThat(claimed).allSatisfy(job -> {
            assertThat(job.queue()).isEqualTo("mail");
            assertThat(job.attempt()).isEqualTo(1);
        });
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running' AND lease_owner = 'instance-a' "
                + "AND lease_expires_at > now() + interval '20 seconds' AND queue = 'mail'")).isEqualTo(3);
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.job_events WHERE type = 'status' "
                + "AND data ->> 'status' = 'running'")).as("each claim appends its status event").isEqualTo(3);
    }

    @Test
    void concurrentClaimsNeverTakeTheSameJob() throws Exception {
        enqueue("mail", 0, 500);

        List<Uni<List<ClaimedJob>>> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            claims.add(claimer.claim("default", "mail", 60, null, "instance-" + i, LEASE, NONE).map(Claim::jobs));
        }
        List<List<ClaimedJob>> results = Uni.join().all(claims).andFailFast().await().indefinitely();

        Set<UUID> seen = new HashSet<>();
        int total = 0;
        for (List<ClaimedJob> result : results) {
            for (ClaimedJob job : result) {
                assertThat(seen.add(job.id())).as("claimed twice: " + job.id()).isTrue();
                total++;
            }
        }
        assertThat(total).as("SKIP LOCKED: every claim took its own, and together they took all they asked for").isEqualTo(500);
    }

    @Test
    void aQueuesGlobalConcurrencyCountsTheJobsRunningOnEveryInstance() throws Exception {
        enqueue("limited", 0, 10);

        assertThat(claim("limited", 5, 3, "instance-a")).hasSize(3);
        assertThat(claim("limited", 5, 3, "instance-b")).as("three already run elsewhere").isEmpty();
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'completed', finished_at = now() "
                + "WHERE id = (SELECT id FROM harrier.jobs WHERE status = 'running' LIMIT 1)");
        assertThat(claim("limited", 5, 3, "instance-b")).hasSize(1);
    }

    @Test
    void jobsWhoseHandlersReturnedAreLeftOutOfTheCountOfTheInstanceThatNamesThem() throws Exception {
        enqueue("limited", 0, 10);
        List<ClaimedJob> first = claim("limited", 5, 3, "instance-a");
        assertThat(first).hasSize(3);
        UUID[] returned = {first.get(0).id(), first.get(1).id()};

        assertThat(claim("limited", 5, 3, "instance-b")).as("another instance counts all three").isEmpty();
        Claim more = claimer.claim("default", "limited", 5, 3, "instance-a", LEASE, returned).await().indefinitely();
        assertThat(more.jobs()).as("two of its three ran their handlers: room for two").hasSize(2);
        assertThat(more.atLimit()).isTrue();

        // One of the two has its outcome written meanwhile: it is not taken off twice.
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'completed', finished_at = now() WHERE id = '" + returned[0] + "'");
        assertThat(claimer.claim("default", "limited", 5, 3, "instance-a", LEASE, returned).await().indefinitely().jobs())
                .as("running: the third of the first claim and the two of the second, none of them returned").isEmpty();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running' AND queue = 'limited'"))
                .isEqualTo(4);
    }

    @Test
    void aClaimSaysWhetherTheQueuesLimitStoppedItOrTheQueueRanEmpty() throws Exception {
        enqueue("limited", 0, 4);

        Claim capped = claimer.claim("default", "limited", 10, 2, "instance-a", LEASE, NONE).await().indefinitely();
        assertThat(capped.jobs()).hasSize(2);
        assertThat(capped.atLimit()).as("two more wait behind the limit").isTrue();
        Claim none = claimer.claim("default", "limited", 10, 2, "instance-b", LEASE, NONE).await().indefinitely();
        assertThat(none.jobs()).isEmpty();
        assertThat(none.atLimit()).isTrue();

        Claim drained = claimer.claim("default", "limited", 10, 20, "instance-b", LEASE, NONE).await().indefinitely();
        assertThat(drained.jobs()).hasSize(2);
        assertThat(drained.atLimit()).as("the queue ran empty below its limit").isFalse();
        Claim asked = claimer.claim("default", "limited", 1, 2, "instance-b", LEASE, NONE).await().indefinitely();
        assertThat(asked.atLimit()).as("no room at all under a limit of 2 with 4 running").isTrue();

        enqueue("open", 0, 3);
        Claim unlimited = claimer.claim("default", "open", 2, null, "instance-a", LEASE, NONE).await().indefinitely();
        assertThat(unlimited.jobs()).hasSize(2);
        assertThat(unlimited.atLimit()).isFalse();
    }

    @Test
    void aJobWhoseTimeHasNotComeIsNotClaimed() throws Exception {
        submitter.submit("default", List.of(new JobRequest("noop", "later", mapper.readTree("{}"), null,
                Instant.now().plusSeconds(3600), null, null, null, null, null))).await().indefinitely();

        assertThat(claim("later", 10, null, "instance-a")).isEmpty();
        TestDatabase.execute("UPDATE harrier.jobs SET run_at = now() - interval '1 second', status = 'pending'");
        assertThat(claim("later", 10, null, "instance-a")).hasSize(1);
    }

    @Test
    void aClaimCommitsWithoutWaitingForItsFlushAndTheSessionWaitsAgainAfterIt() throws Exception {
        enqueue("mail", 0, 3);

        assertThat(synchronousCommitDuringAndAfter(null)).containsExactly("off", "on");
        assertThat(synchronousCommitDuringAndAfter(3)).as("a limited queue's claim, room for one more").containsExactly("off", "on");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running'"))
                .as("both claims committed").isEqualTo(3);
    }

    private List<String> synchronousCommitDuringAndAfter(Integer concurrency) {
        return CommitModes.duringAndAfter(pool, Table.JOBS.sql("claim"),
                Tuple.from(Arrays.asList("default", "mail", 2, "instance-a", 30.0, new String[] {"noop"},
                        concurrency, concurrency == null ? null : NONE)));
    }
}
