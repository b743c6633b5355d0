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

    private List<ClaimedJob> claim(String queue, int limit, String owner) {
        return claimer.claim("default", queue, limit, owner, LEASE).await().indefinitely().jobs();
    }

    @Test
    void theMostUrgentJobsOfTheQueueAreClaimedUpToTheLimitWithTheirLeaseAndAttempt() throws Exception {
        List<UUID> low = enqueue("mail", 5, 3);
        List<UUID> urgent = enqueue("mail", 0, 2);
        enqueue("other", 0, 3);

        List<ClaimedJob> claimed = claim("mail", 3, "instance-a");

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
            claims.add(claimer.claim("default", "mail", 60, "instance-" + i, LEASE).map(Claim::jobs));
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
    void aJobWhoseTimeHasNotComeIsNotClaimed() throws Exception {
        submitter.submit("default", List.of(new JobRequest("noop", "later", mapper.readTree("{}"), null,
                Instant.now().plusSeconds(3600), null, null, null, null, null))).await().indefinitely();

        assertThat(claim("later", 10, "instance-a")).isEmpty();
        TestDatabase.execute("UPDATE harrier.jobs SET run_at = now() - interval '1 second', status = 'pending'");
        assertThat(claim("later", 10, "instance-a")).hasSize(1);
    }

    @Test
    void aClaimCommitsWithoutWaitingForItsFlushAndTheSessionWaitsAgainAfterIt() throws Exception {
        enqueue("mail", 0, 3);

        assertThat(CommitModes.duringAndAfter(pool, Table.JOBS.sql("claim"),
                Tuple.of("default", "mail", 2, "instance-a", 30.0, new String[] {"noop"})))
                .containsExactly("off", "on");
        assertThat(CommitModes.duringAndAfter(pool, Table.JOBS.sql("claim_held"),
                Tuple.from(Arrays.asList("default", "mail", 10, "instance-a", 30.0, new String[] {"noop"}, 3, 3, 0, 0, 0))))
                .as("a limited queue's claim, with its permits: one left").containsExactly("off", "on");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE status = 'running'"))
                .as("both claims committed").isEqualTo(3);
    }
}
